import type { Readable } from "node:stream";
import type { BlobStore, BlobWriter } from "../../../storage/blobs/blob-store.js";
import type { ChecksumAlgorithm } from "../checksums.js";
import { localHashJob, sharedHashPool, type Digests } from "./hash-pool.js";

/** Bytes per file write and per hash step. */
const SEGMENT = 1 << 20;
/** Segments one body may have being written and hashed at once (its memory: this + 1 segments). */
const IN_FLIGHT = 4;
/** Idle segments kept for the next bodies. */
const KEEP_IDLE = 32;
/** Bodies declared shorter than this are hashed on the calling thread: a worker hop costs more than it saves. */
export const OFFLOAD_MIN = 1 << 20;

const idle: SharedArrayBuffer[] = [];
const acquire = (): SharedArrayBuffer => idle.pop() ?? new SharedArrayBuffer(SEGMENT);
const release = (segment: SharedArrayBuffer): void => {
  if (idle.length < KEEP_IDLE) idle.push(segment);
};

/** The error a stream pipeline rejects with when its signal aborts. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error("The operation was aborted", { cause: signal.reason as unknown }), { name: "AbortError", code: "ABORT_ERR" });
}

/** Options of {@link ingestToBlob}. */
export interface BlobIngestOptions {
  /** The declared length, if any (only chooses where to hash; the caller checks the size). */
  readonly expectedLength: number | undefined;
  /** The additional checksum to compute, if any. */
  readonly checksum: ChecksumAlgorithm | undefined;
  readonly signal: AbortSignal;
}

/** A body written to a committed (durable) blob, with its digests. */
export interface BlobIngested extends Digests {
  readonly size: number;
  readonly blobId: string;
}

/**
 * Streams a body into a new blob: the main thread copies the incoming chunks into 1 MiB shared
 * segments and writes each with one positional write, while a worker thread hashes the same
 * segment (MD5 and the requested checksum), so neither the hashing nor small writes hold back
 * the socket. At most IN_FLIGHT segments are pending per body (back-pressure: the body is not
 * read meanwhile). Resolves once the blob is committed; on any failure the blob is removed.
 * `check(size)` runs before the commit and may throw (e.g. IncompleteBody).
 */
export async function ingestToBlob(body: Readable, blobs: BlobStore, opts: BlobIngestOptions, check: (size: number) => void): Promise<BlobIngested> {
  const { signal } = opts;
  if (signal.aborted) {
    body.destroy();
    throw abortError(signal);
  }
  // Until the loop below reads the body, an error it emits (e.g. a size limit) must not go unheard:
  // the loop still sees it, as the stream keeps its error.
  const ignore = (): void => undefined;
  body.on("error", ignore);
  let writer: BlobWriter;
  try {
    writer = await blobs.create();
  } catch (err) {
    body.off("error", ignore);
    body.destroy();
    throw err;
  }
  const hash = opts.expectedLength !== undefined && opts.expectedLength < OFFLOAD_MIN ? localHashJob(opts.checksum) : sharedHashPool().start(opts.checksum);
  const inflight: Promise<void>[] = [];
  let segment = acquire();
  let view = new Uint8Array(segment);
  let fill = 0;
  let submitted = 0;

  const submit = (): void => {
    const buffer = segment;
    const length = fill;
    const write = writer.write(new Uint8Array(buffer, 0, length), submitted);
    const hashed = hash.update(buffer, 0, length);
    submitted += length;
    const both = Promise.allSettled([write, hashed]).then(([w, h]) => {
      // Reused only once both the write and the hash are done with it.
      release(buffer);
      if (w.status === "rejected") throw w.reason;
      if (h.status === "rejected") throw h.reason;
    });
    both.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
    inflight.push(both);
    segment = acquire();
    view = new Uint8Array(segment);
    fill = 0;
  };

  const onAbort = (): void => void body.destroy(abortError(signal));
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, SEGMENT - fill);
        view.set(at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n), fill);
        fill += n;
        at += n;
        if (fill === SEGMENT) {
          submit();
          if (inflight.length >= IN_FLIGHT) await inflight.shift();
        }
      }
    }
    if (fill > 0) submit();
    release(segment);
    for (const p of inflight.splice(0)) await p;
    check(submitted);
    const [digests, blobId] = await Promise.all([hash.digest(), writer.commit()]);
    return { size: submitted, blobId, md5: digests.md5, checksum: digests.checksum };
  } catch (err) {
    // Let every pending write and hash settle before the file and the job go away.
    await Promise.allSettled(inflight);
    hash.drop();
    await writer.abort();
    throw err;
  } finally {
    signal.removeEventListener("abort", onAbort);
    body.off("error", ignore);
  }
}
