import type { Readable } from "node:stream";
import type { BlobStore } from "../../../storage/blobs/blob-store.js";
import type { DataRef } from "../../../storage/objects/object-store.js";
import { createHasher, type ChecksumAlgorithm } from "../checksums.js";
import { S3Error } from "../errors.js";
import { ingestToBlob } from "./ingest-blob.js";
import { readInline } from "./read-inline.js";

/** Bodies up to this size are kept in the metadata row: one group-committed fsync, no file. */
export const INLINE_MAX = 64 * 1024;

export interface IngestOptions {
  /**
   * The length the client declared (Content-Length or x-amz-decoded-content-length); undefined
   * when nothing declares it (the file part of a POST form), and the body then goes to a blob.
   */
  readonly expectedLength: number | undefined;
  /** The additional checksum to compute, if the client asked for one. */
  readonly checksum: ChecksumAlgorithm | undefined;
  readonly signal: AbortSignal;
  /** Always write a blob, however small the body (multipart parts are always blobs). */
  readonly alwaysBlob?: boolean;
  /**
   * The body's chunks belong to nobody else (a request body off the network), so a large body's
   * chunks are freed as soon as they are copied (see ingest-blob.ts). Never for a caller's buffers.
   */
  readonly releaseChunks?: boolean;
  /** A blob body is written around the page cache (see BlobCreateOptions.direct). */
  readonly direct?: boolean;
}

export interface Ingested {
  readonly size: number;
  /** Hex MD5 of the body. */
  readonly md5Hex: string;
  /** Base64 of the additional checksum, when one was asked for. */
  readonly checksumValue: string | undefined;
  /** Where the bytes now are. A blob is committed (durable); free it if the write fails later. */
  readonly data: DataRef;
}

/**
 * Streams a request body into storage with back-pressure, computing the MD5 (the ETag) and the
 * requested checksum on the way. Small bodies stay in memory to be stored inline; larger ones go
 * to a blob that is committed (fsynced, renamed) before this resolves, hashed off the main
 * thread when large (see ingest-blob.ts).
 */
export async function ingestBody(body: Readable, blobs: BlobStore, opts: IngestOptions): Promise<Ingested> {
  if (opts.expectedLength !== undefined && opts.expectedLength <= INLINE_MAX && opts.alwaysBlob !== true) {
    const md5 = createHasher("MD5");
    const extra = opts.checksum === undefined ? undefined : createHasher(opts.checksum);
    const bytes = await readInline(body, opts.expectedLength, extra === undefined ? [md5] : [md5, extra], opts.signal);
    if (bytes.length !== opts.expectedLength) throw new S3Error("IncompleteBody");
    return {
      size: bytes.length,
      md5Hex: (await md5.digest()).toString("hex"),
      checksumValue: extra === undefined ? undefined : (await extra.digest()).toString("base64"),
      data: { kind: "inline", bytes },
    };
  }
  const blob = await ingestToBlob(body, blobs, opts, (size) => {
    if (opts.expectedLength !== undefined && size !== opts.expectedLength) throw new S3Error("IncompleteBody");
  });
  return {
    size: blob.size,
    md5Hex: blob.md5.toString("hex"),
    checksumValue: blob.checksum?.toString("base64"),
    data: { kind: "blob", blobId: blob.blobId },
  };
}
