import type { XmlNode } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket } from "../shapes/bucket-access.js";
import { assertListVersionParams, assertMaxKeysNotNegative, MAX_KEYS_CAP, parseEncodingType, parseMaxKeys } from "../shapes/listing-params.js";
import type { KeyEncoder } from "../shapes/listing-xml.js";
import type { ObjectStore } from "../../../storage/objects/object-store.js";
import { readAhead, takeReadAhead } from "./list-read-ahead.js";
import { contentsWriter, entriesBuffer, fastUrlEncode, finishListing, listingKeyEncoder, plainKeys, writeObjectEntries, type DocumentBuffer } from "./list-result-xml.js";

/** What ListObjects (v1) and ListObjectsV2 share once their own parameters are read. */
export interface ListQuery {
  readonly prefix: string;
  /** "" when none was sent (an empty delimiter is no delimiter, and is not echoed). */
  readonly delimiter: string;
  readonly maxKeys: number;
  readonly after: string | undefined;
}

/**
 * The parameters ListObjects and ListObjectsV2 share, checked in S3's order (the other version's
 * parameters, max-keys, the bucket, encoding-type, then a negative max-keys).
 */
export function readListParams(req: S3Request, env: S3Env, v2: boolean) {
  const query = req.query;
  assertListVersionParams(query, v2);
  const maxKeys = parseMaxKeys(query);
  const bucket = requireBucket(req, env);
  const url = parseEncodingType(query);
  assertMaxKeysNotNegative(maxKeys);
  return { query, bucket, maxKeys, url, encode: listingKeyEncoder(url), prefix: query.get("prefix") ?? "", delimiter: query.get("delimiter") ?? "" };
}

/** What a listing's head needs of the page written after it. */
export interface PageSummary {
  /** Keys and common prefixes on the page (KeyCount). */
  readonly count: number;
  readonly isTruncated: boolean;
  /** The last key or common prefix of a truncated page. */
  readonly resumeAfter: string | undefined;
}

/** A page's entries and what its head needs of them. */
interface WrittenPage {
  readonly out: DocumentBuffer;
  readonly summary: PageSummary;
}

/**
 * A ListBucketResult: one page of the latest versions read and its entries written, then the head
 * `head` gives for it; max-keys 0 answers an empty, untruncated page (s3-tests, list_maxkeys_zero).
 * A page that continues a listing (after a marker, start-after or continuation token) has the next
 * page read ahead (list-read-ahead.ts), served only if the store is unchanged since.
 */
export function listingResponse(env: S3Env, bucket: string, q: ListQuery, encode: KeyEncoder, withOwner: boolean, head: (page: PageSummary) => { [name: string]: XmlNode }): ServiceResponse {
  const objects = env.objects;
  const ahead = readAheadKey(objects, bucket, q, encode, withOwner);
  const kept = ahead === undefined ? undefined : takeReadAhead<WrittenPage>(objects, ahead);
  const page = kept ?? readPage(objects, bucket, q, encode, withOwner);
  const { isTruncated, resumeAfter } = page.summary;
  if (ahead !== undefined && isTruncated && resumeAfter !== undefined) {
    const next = { ...q, after: resumeAfter };
    const key = readAheadKey(objects, bucket, next, encode, withOwner);
    if (key !== undefined) readAhead(objects, key, () => readPage(objects, bucket, next, encode, withOwner));
  }
  return finishListing(env, "ListBucketResult", page.out, head(page.summary));
}

/**
 * What decides a scanned page's entries, as a read-ahead key; undefined where pages are not read
 * ahead: a listing's first page (a client may ask for no more), a delimiter, max-keys 0, a store
 * without scan or change stamp.
 */
function readAheadKey(objects: ObjectStore, bucket: string, q: ListQuery, encode: KeyEncoder, withOwner: boolean): string | undefined {
  if (q.delimiter !== "" || q.maxKeys === 0 || q.after === undefined || objects.scanObjects === undefined || objects.changeStamp === undefined) return undefined;
  const keys = encode === plainKeys ? "plain" : encode === fastUrlEncode ? "url" : undefined;
  if (keys === undefined) return undefined;
  return [bucket, q.prefix, Math.min(q.maxKeys, MAX_KEYS_CAP), keys, withOwner, q.after].join("\u0000");
}

function readPage(objects: ObjectStore, bucket: string, q: ListQuery, encode: KeyEncoder, withOwner: boolean): WrittenPage {
  // Bytes for the entries before the page is read: a `Contents` with a checksum is ~280, ~400 with its Owner.
  const out = entriesBuffer(64 + Math.min(q.maxKeys, MAX_KEYS_CAP) * (withOwner ? 448 : 320));
  return { out, summary: writePage(objects, bucket, q, encode, withOwner, out) };
}

const EMPTY_PAGE: PageSummary = { count: 0, isTruncated: false, resumeAfter: undefined };

/**
 * A listing without a delimiter is handed object by object to the XML writer where the store can
 * scan (no entry objects built); otherwise the page is read as entries and written from them.
 */
function writePage(objects: ObjectStore, bucket: string, q: ListQuery, encode: KeyEncoder, withOwner: boolean, out: DocumentBuffer): PageSummary {
  if (q.maxKeys === 0) return EMPTY_PAGE;
  const maxKeys = Math.min(q.maxKeys, MAX_KEYS_CAP);
  if (q.delimiter === "" && objects.scanObjects !== undefined) {
    return objects.scanObjects(bucket, { prefix: q.prefix, after: q.after, maxKeys }, contentsWriter(out, encode, withOwner));
  }
  const page = objects.listObjects(bucket, { prefix: q.prefix, delimiter: q.delimiter, after: q.after, maxKeys });
  writeObjectEntries(out, page, encode, withOwner);
  return { count: page.entries.length, isTruncated: page.isTruncated, resumeAfter: page.resumeAfter };
}

/**
 * ListObjects (v1): prefix, delimiter, marker, max-keys, encoding-type. Every entry carries its
 * Owner; NextMarker is returned only with a delimiter (ListObjects docs, NextMarker).
 */
export async function listObjects(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const { query, bucket, maxKeys, url, encode, prefix, delimiter } = readListParams(req, env, false);
  const marker = query.get("marker") ?? "";

  return listingResponse(env, bucket.name, { prefix, delimiter, maxKeys, after: marker === "" ? undefined : marker }, encode, true, (page) => {
    const nextMarker = page.isTruncated && delimiter !== "" ? page.resumeAfter : undefined;
    return {
      Name: bucket.name,
      Prefix: encode(prefix),
      Marker: encode(marker),
      NextMarker: nextMarker === undefined ? undefined : encode(nextMarker),
      MaxKeys: maxKeys,
      Delimiter: delimiter === "" ? undefined : encode(delimiter),
      EncodingType: url ? "url" : undefined,
      IsTruncated: page.isTruncated,
    };
  });
}
