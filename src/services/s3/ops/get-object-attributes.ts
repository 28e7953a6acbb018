import { toXml, type XmlNode } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import type { StoredVersion } from "../../../storage/objects/object-store.js";
import { S3Error, s3Headers } from "../errors.js";
import { MAX_LIST } from "../multipart/params.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";
import { httpDate } from "../shapes/http-dates.js";
import { S3_XMLNS } from "../shapes/owner.js";
import { checkReadConditions, readConditionsFromHeaders } from "../shapes/read-conditions.js";
import { resolveVersion } from "./get-object.js";

/** The attributes x-amz-object-attributes may name (botocore enum `ObjectAttributes`). */
const ATTRIBUTES = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"] as const;
type Attribute = (typeof ATTRIBUTES)[number];
const HEADER = "x-amz-object-attributes";

/** Parses x-amz-object-attributes: a comma-separated list of attribute names, at least one. */
export function parseObjectAttributes(value: string | undefined): Set<Attribute> {
  const names = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (names.length === 0) {
    throw new S3Error("InvalidRequest", "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty");
  }
  const out = new Set<Attribute>();
  for (const name of names) {
    if (!(ATTRIBUTES as readonly string[]).includes(name)) {
      throw new S3Error("InvalidArgument", "Invalid attribute name specified.", { ArgumentName: HEADER, ArgumentValue: name });
    }
    out.add(name as Attribute);
  }
  return out;
}

/** An integer header in 0..2147483647 (x-amz-max-parts, x-amz-part-number-marker). */
function intHeader(h: Readonly<Record<string, string>>, name: string, fallback: number): number {
  const raw = h[name];
  if (raw === undefined || raw === "") return fallback;
  const n = /^\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > 2_147_483_647) {
    throw new S3Error("InvalidArgument", `Provided ${name.slice("x-amz-".length)} not an integer or within integer range`, {
      ArgumentName: name,
      ArgumentValue: raw,
    });
  }
  return n;
}

/**
 * The ObjectParts of a multipart object, paged by x-amz-part-number-marker / x-amz-max-parts.
 * Per-part entries appear only when the object carries an additional checksum (GetObjectAttributes
 * docs, `Parts`); a single-part object has no ObjectParts at all.
 */
function objectParts(v: StoredVersion, h: Readonly<Record<string, string>>): XmlNode {
  if (v.data.kind !== "parts") return undefined;
  const parts = v.data.parts;
  const maxParts = intHeader(h, "x-amz-max-parts", MAX_LIST);
  const marker = intHeader(h, "x-amz-part-number-marker", 0);
  const out: { [name: string]: XmlNode } = { PartsCount: parts.length };
  if (v.checksum === undefined) return out;
  const after = parts.filter((p) => p.partNumber > marker);
  const page = after.slice(0, Math.min(maxParts, MAX_LIST));
  const truncated = page.length < after.length;
  const checksumName = `Checksum${v.checksum.algorithm}`;
  out["PartNumberMarker"] = marker;
  if (page.length > 0) out["NextPartNumberMarker"] = page[page.length - 1]!.partNumber;
  out["MaxParts"] = maxParts;
  out["IsTruncated"] = truncated;
  out["Part"] = page.map((p) => ({ PartNumber: p.partNumber, Size: p.size, [checksumName]: p.checksum }));
  return out;
}

/**
 * GetObjectAttributes: what HeadObject and ListParts would say, in one XML answer, for the
 * attributes x-amz-object-attributes names (GetObjectAttributes docs). The ETag comes unquoted.
 */
export async function getObjectAttributes(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  const h = req.http.headers;
  const wanted = parseObjectAttributes(h[HEADER]);
  const versioned = bucket.versioning !== "Unversioned";
  const v = resolveVersion(req, env, key, versioned);
  checkReadConditions(readConditionsFromHeaders(h), v);
  const body: { [name: string]: XmlNode } = {};
  if (wanted.has("ETag")) body["ETag"] = v.etag.replace(/^"(.*)"$/, "$1");
  if (wanted.has("Checksum") && v.checksum !== undefined) {
    body["Checksum"] = { [`Checksum${v.checksum.algorithm}`]: v.checksum.value, ChecksumType: v.checksum.type };
  }
  if (wanted.has("ObjectParts")) body["ObjectParts"] = objectParts(v, h);
  if (wanted.has("StorageClass")) body["StorageClass"] = v.storageClass;
  if (wanted.has("ObjectSize")) body["ObjectSize"] = v.size;
  const headers: Record<string, string> = {
    ...s3Headers(env.ctx),
    "content-type": "application/xml",
    "last-modified": httpDate(v.lastModified),
  };
  if (versioned) headers["x-amz-version-id"] = v.versionId;
  return { status: 200, headers, body: toXml("GetObjectAttributesResponse", body, S3_XMLNS) };
}
