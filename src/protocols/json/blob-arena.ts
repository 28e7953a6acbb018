import { DEFAULT_POOL_IDLE_MS, IdleRelease } from "../../util/idle-release.js";

/** Where the fast JSON reader decodes a body's blobs: a buffer of at least `bytes`. */
export interface BlobArenas {
  /** A buffer of at least `bytes` bytes whose contents may be overwritten. */
  take(bytes: number): Buffer;
}

/** Arenas above this size are not kept for reuse. */
const MAX_POOLED_BYTES = 4 * 1024 * 1024;
/** At most this much is kept in free arenas (enough for the 8 PutRecords calls of a busy client). */
const POOL_LIMIT_BYTES = 12 * 1024 * 1024;
const free: Buffer[] = [];
let freeBytes = 0;
/** Once requests stop, the free arenas go too. */
const idle = new IdleRelease(DEFAULT_POOL_IDLE_MS, () => {
  const bytes = freeBytes;
  free.length = 0;
  freeBytes = 0;
  return bytes;
});

/**
 * A request's arenas, taken from a small pool of buffers and given back with `release()` once
 * the request is done with its parsed input (its blobs are views into them): a 500-record
 * PutRecords call decodes ~0.5 MB of blobs, and a fresh buffer per call left that much external
 * memory per call for the garbage collector.
 */
export class ArenaLease implements BlobArenas {
  #taken: Buffer[] = [];

  take(bytes: number): Buffer {
    idle.touch();
    let buf: Buffer | undefined;
    for (let i = 0; i < free.length; i++) {
      const b = free[i]!;
      if (b.length >= bytes && b.length <= 2 * bytes + 64 * 1024) {
        buf = b;
        free.splice(i, 1);
        freeBytes -= b.length;
        break;
      }
    }
    // Sizes rounded up to 64 KiB so that bodies of about the same size share arenas.
    buf ??= Buffer.allocUnsafeSlow(Math.ceil(Math.max(bytes, 1) / 65536) * 65536);
    this.#taken.push(buf);
    return buf;
  }

  /** Gives the arenas back: the blobs decoded into them must no longer be used. */
  release(): void {
    idle.touch();
    for (const b of this.#taken) {
      if (b.length > MAX_POOLED_BYTES) continue;
      while (free.length > 0 && freeBytes + b.length > POOL_LIMIT_BYTES) freeBytes -= free.shift()!.length;
      if (freeBytes + b.length > POOL_LIMIT_BYTES) continue;
      free.push(b);
      freeBytes += b.length;
    }
    this.#taken = [];
  }
}
