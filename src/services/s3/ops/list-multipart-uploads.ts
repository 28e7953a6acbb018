import type { XmlNode } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import { parseMaxEntries } from "../multipart/params.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket } from "../shapes/bucket-access.js";
import { isoDate } from "../shapes/http-dates.js";
import { parseEncodingType } from "../shapes/listing-params.js";
import { commonPrefixEntry, keyEncoder, listingResponse } from "../shapes/listing-xml.js";
import { ownerXml } from "../shapes/owner.js";

/**
 * ListMultipartUploads: incomplete uploads by key, then initiation time, with prefix, delimiter,
 * key-marker / upload-id-marker paging and max-uploads (at most 1000 a page).
 */
export async function listMultipartUploads(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const q = req.query;
  const encode = keyEncoder(parseEncodingType(q));
  const max = parseMaxEntries(q, "max-uploads");
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const keyMarker = q.get("key-marker") ?? "";
  const uploadIdMarker = q.get("upload-id-marker") ?? "";
  const page = env.objects.listUploads(bucket.name, {
    prefix,
    delimiter,
    keyMarker: keyMarker === "" ? undefined : keyMarker,
    uploadIdMarker: keyMarker === "" || uploadIdMarker === "" ? undefined : uploadIdMarker,
    maxUploads: max.served,
  });
  const head: { [name: string]: XmlNode } = {
    Bucket: bucket.name,
    KeyMarker: encode(keyMarker),
    UploadIdMarker: uploadIdMarker,
    NextKeyMarker: page.nextKeyMarker === undefined ? undefined : encode(page.nextKeyMarker),
    Prefix: encode(prefix),
    Delimiter: delimiter === "" ? undefined : encode(delimiter),
    NextUploadIdMarker: page.nextUploadIdMarker ?? (page.nextKeyMarker === undefined ? undefined : ""),
    MaxUploads: max.asked,
    IsTruncated: page.isTruncated,
    EncodingType: q.has("encoding-type") ? "url" : undefined,
  };
  const entries: Array<readonly [string, XmlNode]> = [];
  for (const e of page.entries) {
    if ("prefix" in e) {
      entries.push(["CommonPrefixes", commonPrefixEntry(e.prefix, encode)]);
      continue;
    }
    const u = e.upload;
    const owner = ownerXml(u.ownerAccountId);
    entries.push([
      "Upload",
      {
        Key: encode(u.key),
        UploadId: u.uploadId,
        Initiator: owner,
        Owner: owner,
        StorageClass: u.storageClass,
        Initiated: isoDate(u.initiated),
        ChecksumAlgorithm: u.checksum?.algorithm,
        ChecksumType: u.checksum?.type,
      },
    ]);
  }
  // S3 writes every Upload before the CommonPrefixes (ListMultipartUploads response syntax).
  entries.sort((a, b) => (a[0] === b[0] ? 0 : a[0] === "Upload" ? -1 : 1));
  return listingResponse(env, "ListMultipartUploadsResult", head, entries);
}
