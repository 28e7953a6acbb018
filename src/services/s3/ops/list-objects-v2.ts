import type { ServiceResponse } from "../../../server/service.js";
import { S3Error } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { listingResponse, readListParams } from "./list-objects.js";

// A continuation token is base64 of a format byte and the UTF-8 of the key or common prefix the
// page ended on. It is opaque to clients, as S3's are (ListObjectsV2 docs, ContinuationToken).
const TOKEN_FORMAT = 0x01;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The token that resumes a listing after `resumeAfter`. */
export function encodeContinuationToken(resumeAfter: string): string {
  return Buffer.concat([Buffer.of(TOKEN_FORMAT), Buffer.from(resumeAfter, "utf8")]).toString("base64");
}

/** The resume point a token names; InvalidArgument for anything this server did not hand out. */
export function decodeContinuationToken(token: string): string {
  const bad = (): S3Error => new S3Error("InvalidArgument", "The continuation token provided is incorrect", { ArgumentName: "continuation-token" });
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) throw bad();
  const bytes = Buffer.from(token, "base64");
  if (bytes.length < 2 || bytes[0] !== TOKEN_FORMAT || bytes.toString("base64") !== token) throw bad();
  try {
    return utf8.decode(bytes.subarray(1));
  } catch {
    throw bad();
  }
}

/**
 * ListObjectsV2: prefix, delimiter, max-keys, start-after, continuation-token (which wins over
 * start-after), fetch-owner, encoding-type; KeyCount counts keys and common prefixes alike.
 */
export async function listObjectsV2(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const { query, bucket, maxKeys, url, encode, prefix, delimiter } = readListParams(req, env, true);
  const startAfter = query.get("start-after");
  const token = query.get("continuation-token");
  // An empty token is a listing from the start, echoed back empty (s3-tests, listv2_continuationtoken_empty).
  const resume = token !== null && token !== "" ? decodeContinuationToken(token) : undefined;
  const after = resume ?? (startAfter !== null && startAfter !== "" ? startAfter : undefined);
  const fetchOwner = query.get("fetch-owner") === "true";

  return listingResponse(env, bucket.name, { prefix, delimiter, maxKeys, after }, encode, fetchOwner, (page) => ({
    Name: bucket.name,
    Prefix: encode(prefix),
    ContinuationToken: token ?? undefined,
    NextContinuationToken: page.isTruncated && page.resumeAfter !== undefined ? encodeContinuationToken(page.resumeAfter) : undefined,
    StartAfter: startAfter === null ? undefined : encode(startAfter),
    KeyCount: page.count,
    MaxKeys: maxKeys,
    Delimiter: delimiter === "" ? undefined : encode(delimiter),
    EncodingType: url ? "url" : undefined,
    IsTruncated: page.isTruncated,
  }));
}
