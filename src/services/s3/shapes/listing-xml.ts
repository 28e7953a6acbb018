import { toXml, xmlElement, type XmlNode } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import type { StoredVersion } from "../../../storage/objects/object-store.js";
import { s3Headers } from "../errors.js";
import type { S3Env } from "../request.js";
import { isoDate } from "./http-dates.js";
import { ownerXml, S3_XMLNS } from "./owner.js";

/** How the key-like values of a listing are written: as they are, or URL-encoded. */
export type KeyEncoder = (value: string) => string;

// Bytes that encoding-type=url leaves alone: Java's URLEncoder safe set plus '/', which is what S3
// answers (a space comes back as '+', a '+' as %2B, non-ASCII as %XX of its UTF-8 bytes).
const SAFE = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.*/") SAFE[c.charCodeAt(0)] = 1;
const HEX = "0123456789ABCDEF";

/** S3's `encoding-type=url` encoding of a key, prefix, delimiter or marker (ListObjectsV2 docs, EncodingType). */
export function s3UrlEncode(value: string): string {
  const bytes = Buffer.from(value, "utf8");
  let out = "";
  for (const b of bytes) {
    if (SAFE[b] === 1) out += String.fromCharCode(b);
    else if (b === 0x20) out += "+";
    else out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** The encoder for a request's encoding-type (already validated). */
export const keyEncoder = (url: boolean): KeyEncoder => (url ? s3UrlEncode : (v) => v);

/** ChecksumAlgorithm and ChecksumType, present only when the object was stored with a checksum. */
function checksumXml(v: StoredVersion): { [name: string]: XmlNode } {
  if (v.checksum === undefined) return {};
  return { ChecksumAlgorithm: v.checksum.algorithm, ChecksumType: v.checksum.type };
}

/** A `<Contents>` entry of ListObjects / ListObjectsV2 (botocore shape `Object`). */
export function objectEntry(v: StoredVersion, encode: KeyEncoder, withOwner: boolean): XmlNode {
  return {
    Key: encode(v.key),
    LastModified: isoDate(v.lastModified),
    ETag: v.etag,
    ...checksumXml(v),
    Size: v.size,
    StorageClass: v.storageClass,
    Owner: withOwner ? ownerXml(v.ownerAccountId) : undefined,
  };
}

/** A `<Version>` entry of ListObjectVersions (botocore shape `ObjectVersion`, in the order S3 writes it). */
export function versionEntry(v: StoredVersion, encode: KeyEncoder): XmlNode {
  return {
    Key: encode(v.key),
    VersionId: v.versionId,
    IsLatest: v.isLatest,
    LastModified: isoDate(v.lastModified),
    ETag: v.etag,
    ...checksumXml(v),
    Size: v.size,
    StorageClass: v.storageClass,
    Owner: ownerXml(v.ownerAccountId),
  };
}

/** A `<DeleteMarker>` entry of ListObjectVersions (botocore shape `DeleteMarkerEntry`). */
export function deleteMarkerEntry(v: StoredVersion, encode: KeyEncoder): XmlNode {
  return {
    Key: encode(v.key),
    VersionId: v.versionId,
    IsLatest: v.isLatest,
    LastModified: isoDate(v.lastModified),
    Owner: ownerXml(v.ownerAccountId),
  };
}

/** A `<CommonPrefixes>` entry. */
export const commonPrefixEntry = (prefix: string, encode: KeyEncoder): XmlNode => ({ Prefix: encode(prefix) });

/**
 * A listing document: the fixed elements in order, then the repeated entries in the order given.
 * S3 interleaves `Version` and `DeleteMarker` in key order, so entries are (name, node) pairs.
 */
export function listingResponse(
  env: S3Env,
  root: string,
  head: { [name: string]: XmlNode },
  entries: ReadonlyArray<readonly [string, XmlNode]>,
): ServiceResponse {
  const close = `</${root}>`;
  const doc = toXml(root, head, S3_XMLNS);
  const body = doc.slice(0, doc.length - close.length) + entries.map(([name, node]) => xmlElement(name, node)).join("") + close;
  return { status: 200, headers: { ...s3Headers(env.ctx), "content-type": "application/xml" }, body };
}
