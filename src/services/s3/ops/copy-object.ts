import { Readable } from "node:stream";
import { toXml } from "../../../protocols/xml/xml-writer.js";
import type { ServiceResponse } from "../../../server/service.js";
import type { DataRef, ObjectVersion, StoredChecksum, StoredVersion } from "../../../storage/objects/object-store.js";
import { ingestBody } from "../body/ingest.js";
import { parseAlgorithm, type ChecksumAlgorithm } from "../checksums.js";
import { S3Error, s3Headers } from "../errors.js";
import type { S3Env, S3Request } from "../request.js";
import { requireBucket, requireKey } from "../shapes/bucket-access.js";
import { checkCopySourceConditions, MAX_COPY_SOURCE, parseCopySource, requireRestoredSource, resolveCopySource } from "../shapes/copy-source.js";
import { isoDate } from "../shapes/http-dates.js";
import { parseWriteHeaders, STORAGE_CLASSES } from "../shapes/object-headers.js";
import { assertKey } from "../shapes/object-key.js";
import { S3_XMLNS } from "../shapes/owner.js";
import { parseTaggingHeader } from "../shapes/tagging.js";
import { newVersionId } from "../shapes/version-ids.js";
import { writePreconditions } from "./put-object.js";

type Directive = "COPY" | "REPLACE";

function directive(h: Readonly<Record<string, string>>, header: string, what: string): Directive {
  const value = h[header];
  if (value === undefined) return "COPY";
  if (value === "COPY" || value === "REPLACE") return value;
  throw new S3Error("InvalidArgument", `Unknown ${what} directive.`, { ArgumentName: header, ArgumentValue: value });
}

const WEBSITE_REDIRECT = "x-amz-website-redirect-location";
const ENCRYPTION_HEADERS = [
  "x-amz-server-side-encryption",
  "x-amz-server-side-encryption-aws-kms-key-id",
  "x-amz-server-side-encryption-customer-algorithm",
];

/** The bytes of the copy, with the digests that describe them. */
interface CopiedData {
  readonly data: DataRef;
  readonly etag: string;
  readonly checksum: StoredChecksum | undefined;
}

/** The blobs holding a version's bytes, in order. */
function blobIdsOf(data: DataRef): string[] {
  switch (data.kind) {
    case "inline":
    case "none":
      return [];
    case "blob":
      return [data.blobId];
    default:
      // A completed multipart upload keeps one blob per part, read in part order.
      return (data as { readonly parts: ReadonlyArray<{ readonly blobId: string }> }).parts.map((p) => p.blobId);
  }
}

/** Streams all of a version's bytes. */
function readData(env: S3Env, data: DataRef): Readable {
  if (data.kind === "inline") return Readable.from(data.bytes.length > 0 ? [Buffer.from(data.bytes)] : []);
  const ids = blobIdsOf(data);
  if (ids.length === 1) return env.blobs.read(ids[0]!);
  return Readable.from(
    (async function* () {
      for (const id of ids) yield* env.blobs.read(id) as AsyncIterable<Buffer>;
    })(),
  );
}

/**
 * Copies the source's bytes into data the new version owns. The ETag and checksum carry over
 * when they describe the whole object; otherwise (a different algorithm asked for, a multipart
 * source) the bytes are read once and hashed on the way.
 */
async function copyData(env: S3Env, src: StoredVersion, algorithm: ChecksumAlgorithm | undefined): Promise<CopiedData> {
  const keepEtag = !src.etag.includes("-");
  const keepChecksum =
    src.checksum !== undefined && src.checksum.type === "FULL_OBJECT" && (algorithm === undefined || algorithm === src.checksum.algorithm);
  const wanted = algorithm ?? src.checksum?.algorithm;
  if (keepEtag && (keepChecksum || wanted === undefined)) {
    const checksum = keepChecksum ? src.checksum : undefined;
    if (src.data.kind === "inline") return { data: { kind: "inline", bytes: Buffer.from(src.data.bytes) }, etag: src.etag, checksum };
    if (src.data.kind === "none") return { data: { kind: "inline", bytes: Buffer.alloc(0) }, etag: src.etag, checksum };
    if (src.data.kind === "blob") return { data: { kind: "blob", blobId: await env.blobs.copy(src.data.blobId) }, etag: src.etag, checksum };
  }
  const ingested = await ingestBody(readData(env, src.data), env.blobs, { expectedLength: src.size, checksum: wanted, signal: env.ctx.signal });
  return {
    data: ingested.data,
    etag: `"${ingested.md5Hex}"`,
    checksum: wanted === undefined || ingested.checksumValue === undefined ? undefined : { algorithm: wanted, value: ingested.checksumValue, type: "FULL_OBJECT" },
  };
}

/** CopyObject: a server-side copy of up to 5 GiB, with the metadata and tagging directives. */
export async function copyObject(req: S3Request, env: S3Env): Promise<ServiceResponse> {
  const bucket = requireBucket(req, env);
  const key = requireKey(req);
  assertKey(key);
  const h = req.http.headers;
  const source = parseCopySource(h["x-amz-copy-source"] ?? "");
  const metadataDirective = directive(h, "x-amz-metadata-directive", "metadata");
  const taggingDirective = directive(h, "x-amz-tagging-directive", "tagging");
  const algorithmHeader = h["x-amz-checksum-algorithm"];
  const algorithm = parseAlgorithm(algorithmHeader);
  if (algorithmHeader !== undefined && algorithm === undefined) {
    throw new S3Error("InvalidRequest", "Value for x-amz-checksum-algorithm header is invalid.");
  }
  const storageClass = h["x-amz-storage-class"];
  if (storageClass !== undefined && !(STORAGE_CLASSES as readonly string[]).includes(storageClass)) {
    throw new S3Error("InvalidStorageClass", undefined, { StorageClassRequested: storageClass });
  }
  const replaced = metadataDirective === "REPLACE" ? parseWriteHeaders(h) : undefined;
  const newTags = taggingDirective === "REPLACE" ? parseTaggingHeader(h["x-amz-tagging"]) : undefined;
  const precondition = writePreconditions(h);

  const src = resolveCopySource(env, source);
  checkCopySourceConditions(h, src);
  if (src.size > MAX_COPY_SOURCE) {
    throw new S3Error("InvalidRequest", `The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_COPY_SOURCE}`);
  }
  requireRestoredSource(src);
  // S3 refuses a copy onto itself that changes nothing (CopyObject docs); naming a version restores it.
  const ontoItself = source.bucket === bucket.name && source.key === key && source.versionId === undefined;
  const changes =
    metadataDirective === "REPLACE" ||
    (storageClass !== undefined && storageClass !== src.storageClass) ||
    h[WEBSITE_REDIRECT] !== undefined ||
    ENCRYPTION_HEADERS.some((name) => h[name] !== undefined);
  if (ontoItself && !changes) {
    throw new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }

  // The website redirect is never copied, only set by the request (CopyObject docs).
  let headers: Record<string, string>;
  if (replaced !== undefined) headers = replaced.headers;
  else {
    headers = { ...src.headers };
    delete headers[WEBSITE_REDIRECT];
    const redirect = h[WEBSITE_REDIRECT];
    if (redirect !== undefined) headers[WEBSITE_REDIRECT] = redirect;
  }

  // Pin in this tick: the source's blob must outlive a concurrent overwrite until it is copied.
  const unpins = blobIdsOf(src.data).map((id) => env.pins.pin(id));
  let copied: CopiedData;
  try {
    copied = await copyData(env, src, algorithm);
  } finally {
    for (const unpin of unpins) unpin();
  }
  const versionId = bucket.versioning === "Enabled" ? newVersionId() : "null";
  const version: ObjectVersion = {
    bucket: bucket.name,
    key,
    versionId,
    isDeleteMarker: false,
    size: src.size,
    etag: copied.etag,
    lastModified: env.ctx.clock.now(),
    // Without x-amz-storage-class the copy is STANDARD, whatever the source's class (CopyObject docs).
    storageClass: storageClass ?? "STANDARD",
    ownerAccountId: env.ctx.principal.accountId,
    headers,
    userMetadata: replaced?.userMetadata ?? { ...src.userMetadata },
    checksum: copied.checksum,
    tags: newTags ?? src.tags.map(([k, v]) => [k, v] as const),
    data: copied.data,
  };
  try {
    const result = await env.objects.putVersion(version, precondition);
    env.pins.release(result.released);
  } catch (err) {
    env.pins.release([copied.data]);
    if (err instanceof S3Error && err.code === "NoSuchKey") throw new S3Error("NoSuchKey", undefined, { Key: key });
    throw err;
  }

  const out: Record<string, string> = { ...s3Headers(env.ctx), "content-type": "application/xml" };
  if (bucket.versioning !== "Unversioned") out["x-amz-version-id"] = versionId;
  const sourceBucket = env.objects.getBucket(source.bucket);
  if (source.versionId !== undefined || (sourceBucket !== undefined && sourceBucket.versioning !== "Unversioned")) {
    out["x-amz-copy-source-version-id"] = src.versionId;
  }
  const result: Record<string, string> = { ETag: version.etag, LastModified: isoDate(version.lastModified) };
  if (version.checksum !== undefined) {
    result["ChecksumType"] = version.checksum.type;
    result[`Checksum${version.checksum.algorithm}`] = version.checksum.value;
  }
  return { status: 200, headers: out, body: toXml("CopyObjectResult", result, S3_XMLNS) };
}
