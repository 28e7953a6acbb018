import type { Readable } from "node:stream";
import type { BlobStore, BlobWriter } from "../../../storage/blobs/blob-store.js";
import type { ChecksumAlgorithm } from "../checksums.js";
import { alignedSharedMemory } from "../../../storage/blobs/aligned-memory.js";
import { SEGMENT, SegmentPool, type Segment } from "../../../storage/blobs/segment-pool.js";
import { freeBuffers } from "../../../util/free-buffers.js";
import { DEFAULT_POOL_IDLE_MS, IdleRelease } from "../../../util/idle-release.js";
import { localHashJob, sharedHashPool, type Digests } from "./hash-pool.js";

/** Segments one body may have being written and hashed at once (its memory: this + 1 segments). */
const IN_FLIGHT = 4;
/**
 * Aligned slabs a busy spell keeps (20 MiB: four bodies at once, as a multipart upload with 4 parts
 * in flight sends); bodies beyond that borrow plain shared memory, written through the page cache.
 */
const PINNED_SLABS = 4;
/** Segments per slab: what one body holds at most (one buffer each). */
const SLAB_SEGMENTS = IN_FLIGHT + 1;

/**
 * Slabs of dropped pools, reused by the next spell while the GC has not taken them: a slab's
 * memory comes back only once every isolate that saw it (the main one, the hash threads) has
 * collected, and a new slab made meanwhile would come on top of it.
 */
let dropped: WeakRef<SharedArrayBuffer>[] = [];

function newSegmentPool(made: SharedArrayBuffer[]): SegmentPool<SharedArrayBuffer> {
  return new SegmentPool<SharedArrayBuffer>({
    perSlab: SLAB_SEGMENTS,
    pinnedSlabs: PINNED_SLABS,
    pinned: (bytes) => {
      let slab: SharedArrayBuffer | undefined;
      while (slab === undefined && dropped.length > 0) {
        const old = dropped.pop()!.deref();
        if (old !== undefined && old.byteLength >= bytes) slab = old;
      }
      slab ??= alignedSharedMemory(bytes);
      made.push(slab);
      return slab;
    },
    overflow: (bytes) => new SharedArrayBuffer(bytes),
  });
}

/** A segment lent to one body, and how to give it back to the pool it came from. */
interface LentSegment {
  readonly segment: Segment;
  readonly release: () => void;
}

/**
 * The segments of the bodies being ingested: one pool per busy spell. Its slabs are kept while
 * bodies keep coming (a stream of large PUTs reuses them with no allocation), and once nothing
 * has been lent for DEFAULT_POOL_IDLE_MS the whole pool is left to the GC and the next body starts
 * a new one: the slabs of one multipart upload (20 MiB, page-faulted in once per spell) no longer
 * stay resident through everything the server does afterwards. A slab the GC has not taken yet is
 * reused by the next spell (see `dropped`): measured, a 1 GiB multipart upload every ~17 s
 * otherwise piled up 64 MiB of slabs instead of 24.
 */
class IngestSegments {
  /** The pinned slabs of the current pool. */
  #slabs: SharedArrayBuffer[] = [];
  #pool = newSegmentPool(this.#slabs);
  #lent = 0;
  readonly #idle = new IdleRelease(DEFAULT_POOL_IDLE_MS, () => this.#drop());

  acquire(): LentSegment {
    const pool = this.#pool;
    const segment = pool.acquire();
    this.#lent++;
    this.#idle.touch();
    let released = false;
    return {
      segment,
      release: () => {
        if (released) return;
        released = true;
        pool.release(segment);
        this.#lent--;
        this.#idle.touch();
      },
    };
  }

  #drop(): number {
    // A body stalled for that long still holds its segments: keep the pool (the next touch re-arms).
    if (this.#lent > 0) return 0;
    const bytes = this.#pool.slabCount * SLAB_SEGMENTS * SEGMENT;
    if (bytes === 0) return 0;
    dropped = [...dropped.filter((ref) => ref.deref() !== undefined), ...this.#slabs.map((slab) => new WeakRef(slab))];
    this.#slabs = [];
    this.#pool = newSegmentPool(this.#slabs);
    return bytes;
  }
}

const segments = new IngestSegments();
/** Bodies declared shorter than this are hashed on the calling thread: a worker hop costs more than it saves. */
export const OFFLOAD_MIN = 1 << 20;

/**
 * Frees a chunk's memory now that its bytes are copied, if the chunk owns its whole ArrayBuffer
 * (only for bodies whose chunks nothing else holds: see `releaseChunks`).
 * Left to the GC, V8 counts the dead chunks' memory against the old generation's limit until a
 * sweep: with a small heap, a mark-compact started every ~20 MiB of body (45 per GiB, ~15% of the
 * server's CPU); detached now, the memory is uncounted at once.
 */
const releaseChunk = (chunk: Buffer): void => freeBuffers([chunk]);

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
  /**
   * The body's chunks belong to nobody else (a request body read from the network): each is
   * freed (its ArrayBuffer detached) as soon as its bytes are copied. Never set it for a body
   * made from a caller's buffers.
   */
  readonly releaseChunks?: boolean;
  /** Write the blob around the page cache (see BlobCreateOptions.direct): for bodies not read back soon. */
  readonly direct?: boolean;
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
  const freeChunks = opts.releaseChunks === true;
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
    writer = await blobs.create({ direct: opts.direct === true });
  } catch (err) {
    body.off("error", ignore);
    body.destroy();
    throw err;
  }
  const hash = opts.expectedLength !== undefined && opts.expectedLength < OFFLOAD_MIN ? localHashJob(opts.checksum) : sharedHashPool().start(opts.checksum);
  /** Per submitted segment not yet awaited: its write, and its write and hash together (which frees it). */
  const inflight: { readonly write: Promise<void>; readonly both: Promise<void> }[] = [];
  let committing: Promise<string> | undefined;
  // The segment being filled (taken when the first byte for it arrives); `view` is its bytes.
  let segment: LentSegment | undefined;
  let view: Uint8Array = new Uint8Array(0);
  let fill = 0;
  let submitted = 0;

  const submit = (): void => {
    const lent = segment!;
    const used = lent.segment;
    segment = undefined;
    const length = fill;
    const write = writer.write(length === SEGMENT ? used.bytes : used.bytes.subarray(0, length), submitted);
    const hashed = hash.update(used.buffer, used.offset, length);
    submitted += length;
    const both = Promise.allSettled([write, hashed]).then(([w, h]) => {
      // Reused only once both the write and the hash are done with it.
      lent.release();
      if (w.status === "rejected") throw w.reason;
      if (h.status === "rejected") throw h.reason;
    });
    both.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
    inflight.push({ write, both });
    fill = 0;
  };

  const onAbort = (): void => void body.destroy(abortError(signal));
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length) {
        if (segment === undefined) {
          segment = segments.acquire();
          view = segment.segment.bytes;
        }
        const n = Math.min(chunk.length - at, SEGMENT - fill);
        view.set(at === 0 && n === chunk.length ? chunk : chunk.subarray(at, at + n), fill);
        fill += n;
        at += n;
        if (fill === SEGMENT) {
          submit();
          if (inflight.length >= IN_FLIGHT) await inflight.shift()!.both;
        }
      }
      if (freeChunks) releaseChunk(chunk);
    }
    if (fill > 0) submit();
    check(submitted);
    // Asked for now, the digest queues right behind the last segment on its hash thread, not
    // behind the other bodies' segments posted while this one waits for its acks.
    const digesting = hash.digest();
    digesting.catch(() => undefined); // awaited below; a failure before then must not go unhandled
    // Once every byte is written, the file syncs while the last segments are still being hashed.
    await Promise.all(inflight.map((p) => p.write));
    committing = writer.commit();
    for (const p of inflight.splice(0)) await p.both;
    const [digests, blobId] = await Promise.all([digesting, committing]);
    return { size: submitted, blobId, md5: digests.md5, checksum: digests.checksum };
  } catch (err) {
    // Let every pending write and hash settle before the file and the job go away.
    await Promise.allSettled(inflight.map((p) => p.both));
    await committing?.catch(() => undefined);
    hash.drop();
    await writer.abort();
    throw err;
  } finally {
    segment?.release();
    signal.removeEventListener("abort", onAbort);
    body.off("error", ignore);
  }
}
