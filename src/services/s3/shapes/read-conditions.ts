import type { ObjectVersion } from "../../../storage/objects/object-store.js";
import { S3Error } from "../errors.js";
import { httpDate, parseHttpDate } from "./http-dates.js";

export interface ReadConditions {
  readonly ifMatch: string | undefined;
  readonly ifNoneMatch: string | undefined;
  readonly ifModifiedSince: string | undefined;
  readonly ifUnmodifiedSince: string | undefined;
}

const unquote = (etag: string): string => etag.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");

function etagMatches(list: string, etag: string): boolean {
  const mine = unquote(etag);
  return list.split(",").some((e) => e.trim() === "*" || unquote(e) === mine);
}

/** Seconds precision, as Last-Modified carries it. */
const secondsOf = (ms: number): number => Math.floor(ms / 1000) * 1000;

/**
 * Evaluates conditional-read headers as S3 does (GetObject docs): If-Match beats
 * If-Unmodified-Since, If-None-Match beats If-Modified-Since. Throws PreconditionFailed (412) or,
 * when `notModifiedAllowed`, NotModified (304).
 */
export function checkReadConditions(c: ReadConditions, v: ObjectVersion, notModifiedAllowed = true): void {
  if (c.ifMatch !== undefined) {
    if (!etagMatches(c.ifMatch, v.etag)) throw new S3Error("PreconditionFailed", undefined, { Condition: "If-Match" });
  } else {
    const since = parseHttpDate(c.ifUnmodifiedSince);
    if (since !== undefined && secondsOf(v.lastModified) > since) {
      throw new S3Error("PreconditionFailed", undefined, { Condition: "If-Unmodified-Since" });
    }
  }
  const notModified = (condition: string): S3Error =>
    notModifiedAllowed
      ? new S3Error("NotModified", undefined, {}, { etag: v.etag, "last-modified": httpDate(v.lastModified) })
      : new S3Error("PreconditionFailed", undefined, { Condition: condition });
  if (c.ifNoneMatch !== undefined) {
    if (etagMatches(c.ifNoneMatch, v.etag)) throw notModified("If-None-Match");
  } else {
    const since = parseHttpDate(c.ifModifiedSince);
    if (since !== undefined && secondsOf(v.lastModified) <= since) throw notModified("If-Modified-Since");
  }
}

/** The standard conditional headers of GET/HEAD. */
export const readConditionsFromHeaders = (h: Readonly<Record<string, string>>): ReadConditions => ({
  ifMatch: h["if-match"],
  ifNoneMatch: h["if-none-match"],
  ifModifiedSince: h["if-modified-since"],
  ifUnmodifiedSince: h["if-unmodified-since"],
});
