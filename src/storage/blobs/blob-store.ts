import type { Readable, Writable } from "node:stream";

/** An object body being written; nothing references it until `commit` has resolved and the caller records its id. */
export interface BlobWriter {
  /**
   * Writes `bytes` at byte `position` of the blob; several writes may be in flight at once (at
   * distinct positions). The caller keeps `bytes` unchanged until the promise settles. Use either
   * this or `stream` for one blob, not both.
   */
  write(bytes: Uint8Array, position: number): Promise<void>;
  /** Or stream the bytes here (back-pressure respected); end it before `commit`. */
  readonly stream: Writable;
  /**
   * Makes the bytes and the blob's directory entry durable (fsyncs); resolves with the blob id.
   * Every `write` must have settled first.
   */
  commit(): Promise<string>;
  /** Discards the bytes. Safe to call after a failed commit, and more than once. */
  abort(): Promise<void>;
}

/** Options of {@link BlobStore.create}. */
export interface BlobCreateOptions {
  /**
   * Write spans that start and end on a {@link DIRECT_ALIGN} boundary, from memory aligned the
   * same way, around the page cache (O_DIRECT where the filesystem has it). The bytes are as
   * durable after `commit` either way; they are just not left cached for a read soon after.
   */
  readonly direct?: boolean;
}

/** The alignment (bytes) of position, length and memory that lets a `direct` write skip the page cache. */
export const DIRECT_ALIGN = 4096;

/** Bytes [start, end] (inclusive) of a blob. */
export interface BlobSpan {
  readonly blobId: string;
  readonly start: number;
  readonly end: number;
}

/** Where large object bodies live. Ids are opaque and never derived from keys or bucket names. */
export interface BlobStore {
  /** Starts a new blob. */
  create(opts?: BlobCreateOptions): Promise<BlobWriter>;
  /** Streams bytes [start, end] (inclusive, like an HTTP range) of a blob; the whole blob by default. */
  read(blobId: string, start?: number, end?: number): Readable;
  /** Streams spans of blobs one after another, as one stream (e.g. a range of a multipart object's parts). */
  readSpans(spans: readonly BlobSpan[]): Readable;
  /**
   * Makes a new, independent blob with the same bytes (a reflink clone where the filesystem
   * offers one, else a full copy), durable before it resolves. Each version owns its blob, so
   * a copied object never shares one with its source.
   */
  copy(blobId: string): Promise<string>;
  /** Removes a blob; no error when it is already gone. */
  delete(blobId: string): Promise<void>;
  /**
   * Start-up sweep: deletes temp files left by a crash, and committed blobs that nothing
   * references (a crash between rename and metadata commit, or between commit and delete).
   * Returns how many files it removed.
   */
  sweep(isReferenced: (blobId: string) => boolean): Promise<number>;
}
