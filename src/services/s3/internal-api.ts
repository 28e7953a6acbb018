import { Readable } from "node:stream";
import type { BlobStore } from "../../storage/blobs/blob-store.js";
import type { ObjectStore } from "../../storage/objects/object-store.js";
import type { Clock } from "../../util/clock.js";
import type { BlobPins } from "./body/blob-pins.js";
import { ingestBody } from "./body/ingest.js";
import { versionBody } from "./body/version-body.js";
import { S3Error } from "./errors.js";
import { writePreconditions } from "./ops/put-object.js";
import { uploadedVersion } from "./shapes/new-object.js";
import { lookupVersion, requireRestored } from "./shapes/version-lookup.js";

/** An object write another service asks for (Firehose delivering a batch, for one). */
export interface InternalPutObject {
  /** The account the write is made for; the bucket must belong to it. */
  readonly accountId: string;
  readonly bucket: string;
  readonly key: string;
  /** The bytes; a stream must come with `contentLength`. */
  readonly body: Uint8Array | Readable;
  /** Required when `body` is a stream. */
  readonly contentLength?: number;
  readonly contentType?: string;
  readonly contentEncoding?: string;
  /**
   * Write only if the key has no current object (PutObject's If-None-Match: *). A redelivery
   * of a batch already written then leaves the first copy alone and reports `alreadyExisted`.
   */
  readonly ifNoneMatch?: boolean;
  readonly signal?: AbortSignal;
}

/** An object read another service asks for (Lambda fetching a function's code package, for one). */
export interface InternalGetObject {
  /** The account the read is made for; the bucket must belong to it. */
  readonly accountId: string;
  readonly bucket: string;
  readonly key: string;
  /** A particular version; the current one when absent. */
  readonly versionId?: string | undefined;
}

/** An object being read: its facts and its bytes. */
export interface InternalObject {
  readonly etag: string;
  readonly versionId: string;
  readonly size: number;
  readonly lastModified: number;
  readonly contentType: string | undefined;
  /** The whole object; read it to the end or destroy it (its blobs stay pinned until it closes). */
  readonly body: Readable;
}

/** Why an internal read or write failed, in S3's own codes and words (NoSuchBucket, AccessDenied, NoSuchKey, ...). */
export class S3InternalError extends Error {
  override readonly name = "S3InternalError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What other services may do with S3, without going through HTTP. */
export interface S3InternalApi {
  /**
   * Stores an object exactly as PutObject does (same body ingest, durability and versioning
   * rules); resolves once the object is durable. Throws S3InternalError (NoSuchBucket,
   * AccessDenied when another account owns the bucket, ...).
   */
  putObject(input: InternalPutObject): Promise<{ readonly etag: string; readonly versionId: string; readonly alreadyExisted: boolean }>;
  /**
   * Reads an object by GetObject's rules (the current version or the one named, delete markers
   * and missing keys answered NoSuchKey, unknown versions NoSuchVersion, archived objects
   * InvalidObjectState). Throws S3InternalError.
   */
  getObject(input: InternalGetObject): Promise<InternalObject>;
  /** Whether the bucket exists and belongs to the account. */
  bucketExists(accountId: string, bucket: string): boolean;
}

/** The S3 internal API over S3's own stores. */
export function createS3InternalApi(deps: { readonly objects: ObjectStore; readonly blobs: BlobStore; readonly pins: BlobPins; readonly clock: Clock }): S3InternalApi {
  const { objects, blobs, pins, clock } = deps;

  /** The bucket, if it exists and belongs to the account the call is made for. */
  function ownedBucket(accountId: string, name: string) {
    const bucket = objects.getBucket(name);
    if (bucket === undefined) throw new S3InternalError("NoSuchBucket", `The specified bucket does not exist: ${name}`);
    if (bucket.ownerAccountId !== accountId) throw new S3InternalError("AccessDenied", `Access Denied to bucket ${name}`);
    return bucket;
  }

  return {
    bucketExists(accountId, bucket) {
      const b = objects.getBucket(bucket);
      return b !== undefined && b.ownerAccountId === accountId;
    },
    async putObject(input) {
      const bucket = ownedBucket(input.accountId, input.bucket);
      let stream: Readable;
      let length: number;
      if (input.body instanceof Uint8Array) {
        stream = Readable.from([Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength)]);
        length = input.body.byteLength;
      } else {
        if (input.contentLength === undefined) throw new Error("putObject: a stream body needs contentLength");
        stream = input.body;
        length = input.contentLength;
      }
      const body = await ingestBody(stream, blobs, { expectedLength: length, checksum: undefined, signal: input.signal ?? new AbortController().signal });
      const headers: Record<string, string> = {};
      if (input.contentType !== undefined) headers["content-type"] = input.contentType;
      if (input.contentEncoding !== undefined) headers["content-encoding"] = input.contentEncoding;
      const write = { headers, userMetadata: {}, storageClass: "STANDARD" };
      const version = uploadedVersion(bucket, input.key, body, { write, tags: [], checksum: undefined, ownerAccountId: input.accountId, now: clock.now() });
      const { versionId } = version;
      try {
        const result = await objects.putVersion(version, input.ifNoneMatch === true ? writePreconditions({ "if-none-match": "*" }) : undefined);
        pins.release(result.released);
        return { etag: version.etag, versionId, alreadyExisted: false };
      } catch (err) {
        pins.release([body.data]);
        if (err instanceof S3Error && err.code === "PreconditionFailed") {
          const current = objects.getVersion(bucket.name, input.key);
          return { etag: current?.etag ?? version.etag, versionId: current?.versionId ?? versionId, alreadyExisted: true };
        }
        if (err instanceof S3Error) throw new S3InternalError(err.code, err.message);
        throw err;
      }
    },
    async getObject(input) {
      const bucket = ownedBucket(input.accountId, input.bucket);
      let v;
      try {
        v = lookupVersion(objects, bucket.name, input.key, input.versionId, { versioned: bucket.versioning !== "Unversioned", method: "GET" });
        requireRestored(v);
      } catch (err) {
        if (err instanceof S3Error) throw new S3InternalError(err.code, err.message);
        throw err;
      }
      const data = v.size === 0 ? new Uint8Array(0) : versionBody({ blobs, pins }, v, 0, v.size - 1);
      const body = data instanceof Uint8Array ? Readable.from(data.byteLength === 0 ? [] : [Buffer.from(data.buffer, data.byteOffset, data.byteLength)], { objectMode: false }) : data;
      return {
        etag: v.etag,
        versionId: v.versionId,
        size: v.size,
        lastModified: v.lastModified,
        contentType: v.headers["content-type"],
        body,
      };
    },
  };
}
