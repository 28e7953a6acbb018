import type { ServiceResponse } from "../../../server/service.js";
import type { ListVersionsPage } from "../../../storage/objects/object-store.js";
import { S3Error } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket } from "../shapes/bucket-access.js";
import { MAX_KEYS_CAP, parseEncodingType, parseMaxKeys } from "../shapes/listing-params.js";
import { isValidVersionId } from "../shapes/version-ids.js";
import { commonPrefixXml, listingDocument, listingKeyEncoder, newVersionFormats, versionEntryXml } from "./list-result-xml.js";

/** The version-id-marker rules S3 checks before it looks the bucket up. */
function readMarkers(query: URLSearchParams): { keyMarker: string | undefined; versionIdMarker: string | undefined } {
  const keyMarker = query.get("key-marker") ?? "";
  const versionIdMarker = query.get("version-id-marker");
  if (versionIdMarker !== null && keyMarker === "") {
    throw new S3Error("InvalidArgument", "A version-id marker cannot be specified without a key marker.", {
      ArgumentName: "version-id-marker",
      ArgumentValue: versionIdMarker,
    });
  }
  if (versionIdMarker === "") {
    throw new S3Error("InvalidArgument", "A version-id marker cannot be empty.", { ArgumentName: "version-id-marker", ArgumentValue: "" });
  }
  return { keyMarker: keyMarker === "" ? undefined : keyMarker, versionIdMarker: versionIdMarker ?? undefined };
}

/**
 * ListObjectVersions, on every bucket (an unversioned bucket lists each object once, version id
 * `null`). Each key's versions come newest first, `Version` and `DeleteMarker` interleaved in
 * that order, then the common prefixes; max-keys counts all three (ListObjectVersions docs).
 */
export async function listObjectVersions(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const query = req.query;
  const maxKeys = parseMaxKeys(query);
  const { keyMarker, versionIdMarker } = readMarkers(query);
  const bucket = requireBucket(req, env);
  if (versionIdMarker !== undefined && !isValidVersionId(versionIdMarker)) {
    throw new S3Error("InvalidArgument", "Invalid version id specified", { ArgumentName: "version-id-marker", ArgumentValue: versionIdMarker });
  }
  const url = parseEncodingType(query);
  if (maxKeys < 0) throw new S3Error("InvalidArgument", "max-keys cannot be negative", { ArgumentName: "max-keys" });
  const encode = listingKeyEncoder(url);
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";

  const page: ListVersionsPage = env.objects.listVersions(bucket.name, {
    prefix,
    delimiter,
    keyMarker,
    versionIdMarker,
    maxKeys: Math.min(maxKeys, MAX_KEYS_CAP),
  });
  return listingDocument(
    env,
    "ListVersionsResult",
    {
      Name: bucket.name,
      Prefix: encode(prefix),
      KeyMarker: encode(keyMarker ?? ""),
      VersionIdMarker: versionIdMarker ?? "",
      NextKeyMarker: page.nextKeyMarker === undefined ? undefined : encode(page.nextKeyMarker),
      NextVersionIdMarker: page.nextVersionIdMarker,
      MaxKeys: maxKeys,
      Delimiter: delimiter === "" ? undefined : encode(delimiter),
      EncodingType: url ? "url" : undefined,
      IsTruncated: page.isTruncated,
    },
    page.entries.length,
    (out) => {
      const formats = newVersionFormats();
      let prefixes = "";
      for (const e of page.entries) {
        if ("prefix" in e) prefixes += commonPrefixXml(e.prefix, encode);
        else out.write(versionEntryXml(e.version, encode, formats));
      }
      out.write(prefixes);
    },
  );
}
