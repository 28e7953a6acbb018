import { Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { BlobStore } from "../../../storage/blobs/blob-store.js";
import type { DataRef } from "../../../storage/objects/object-store.js";
import { createHasher, type ChecksumAlgorithm, type Hasher } from "../checksums.js";
import { S3Error } from "../errors.js";

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

/** Hashes bytes as they pass. */
class HashingCounter extends Transform {
  size = 0;
  readonly md5: Hasher = createHasher("MD5");
  readonly extra: Hasher | undefined;
  constructor(algorithm: ChecksumAlgorithm | undefined) {
    super({ highWaterMark: 1 << 20 });
    this.extra = algorithm === undefined ? undefined : createHasher(algorithm);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    this.md5.update(chunk);
    this.extra?.update(chunk);
    done(null, chunk);
  }
}

/**
 * Streams a request body into storage with back-pressure, computing the MD5 (the ETag) and the
 * requested checksum on the way. Small bodies stay in memory to be stored inline; larger ones go
 * to a blob that is committed (fsynced, renamed) before this resolves.
 */
export async function ingestBody(body: Readable, blobs: BlobStore, opts: IngestOptions): Promise<Ingested> {
  const counter = new HashingCounter(opts.checksum);
  let data: DataRef;
  if (opts.expectedLength !== undefined && opts.expectedLength <= INLINE_MAX && opts.alwaysBlob !== true) {
    const expectedLength = opts.expectedLength;
    const chunks: Buffer[] = [];
    let total = 0;
    await pipeline(
      body,
      counter,
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          total += chunk.length;
          if (total > expectedLength) throw new S3Error("InvalidRequest", "The request body is longer than its declared length.");
          chunks.push(chunk);
        }
      },
      { signal: opts.signal },
    );
    data = { kind: "inline", bytes: Buffer.concat(chunks, total) };
  } else {
    const writer = await blobs.create();
    try {
      await pipeline(body, counter, writer.stream, { signal: opts.signal });
      if (opts.expectedLength !== undefined && counter.size !== opts.expectedLength) throw new S3Error("IncompleteBody");
      data = { kind: "blob", blobId: await writer.commit() };
    } catch (err) {
      await writer.abort();
      throw err;
    }
  }
  if (opts.expectedLength !== undefined && counter.size !== opts.expectedLength) {
    throw new S3Error("IncompleteBody");
  }
  return {
    size: counter.size,
    md5Hex: (await counter.md5.digest()).toString("hex"),
    checksumValue: counter.extra === undefined ? undefined : (await counter.extra.digest()).toString("base64"),
    data,
  };
}
