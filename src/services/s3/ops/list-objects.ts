import type { ServiceResponse } from "../../../server/service.js";
import type { ListObjectsPage } from "../../../storage/objects/object-store.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket } from "../shapes/bucket-access.js";
import { assertListVersionParams, assertMaxKeysNotNegative, MAX_KEYS_CAP, parseEncodingType, parseMaxKeys } from "../shapes/listing-params.js";
import { listingDocument, listingKeyEncoder, writeObjectEntries } from "./list-result-xml.js";

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

/** Reads one page of the latest versions; max-keys 0 answers an empty, untruncated page (s3-tests, list_maxkeys_zero). */
export function listPage(env: S3Env, bucket: string, q: ListQuery): ListObjectsPage {
  if (q.maxKeys === 0) return { entries: [], isTruncated: false, resumeAfter: undefined };
  return env.objects.listObjects(bucket, {
    prefix: q.prefix,
    delimiter: q.delimiter,
    after: q.after,
    maxKeys: Math.min(q.maxKeys, MAX_KEYS_CAP),
  });
}

/**
 * ListObjects (v1): prefix, delimiter, marker, max-keys, encoding-type. Every entry carries its
 * Owner; NextMarker is returned only with a delimiter (ListObjects docs, NextMarker).
 */
export async function listObjects(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const { query, bucket, maxKeys, url, encode, prefix, delimiter } = readListParams(req, env, false);
  const marker = query.get("marker") ?? "";

  const page = listPage(env, bucket.name, { prefix, delimiter, maxKeys, after: marker === "" ? undefined : marker });
  const nextMarker = page.isTruncated && delimiter !== "" ? page.resumeAfter : undefined;
  return listingDocument(
    env,
    "ListBucketResult",
    {
      Name: bucket.name,
      Prefix: encode(prefix),
      Marker: encode(marker),
      NextMarker: nextMarker === undefined ? undefined : encode(nextMarker),
      MaxKeys: maxKeys,
      Delimiter: delimiter === "" ? undefined : encode(delimiter),
      EncodingType: url ? "url" : undefined,
      IsTruncated: page.isTruncated,
    },
    page.entries.length,
    (out) => writeObjectEntries(out, page, encode, true),
  );
}
