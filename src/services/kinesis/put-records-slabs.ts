import { DEFAULT_POOL_IDLE_MS, IdleRelease } from "../../util/idle-release.js";

/**
 * Shared memory the PutRecords job writes a call's frames into (put-records-job.ts), reused from
 * call to call. A fresh ~0.5 MB buffer per call was a new mapping, faulted in page by page while
 * the job wrote it, unmapped again on the main thread, and held (as external memory that drives
 * the main thread's collections) until a collection found it. At most `POOL_MAX_BYTES` are kept,
 * and none once PutRecords bodies stop coming.
 */
const free: SharedArrayBuffer[] = [];
const POOL_MAX_BYTES = 12 * 1024 * 1024;
const idle = new IdleRelease(DEFAULT_POOL_IDLE_MS, () => free.splice(0).reduce((n, sab) => n + sab.byteLength, 0));

/** A slab of at least `bytes` (a JSON body's frames never take more bytes than the body). */
export function takeFramesSlab(bytes: number): SharedArrayBuffer {
  idle.touch();
  for (let i = free.length - 1; i >= 0; i--) {
    const sab = free[i]!;
    if (sab.byteLength >= bytes && sab.byteLength <= 2 * bytes) {
      free.splice(i, 1);
      return sab;
    }
  }
  return new SharedArrayBuffer(bytes);
}

/**
 * Gives a slab back for reuse. Only once nothing reads or writes it any more: the job has
 * answered and every append of its frames has settled (the shard log keeps no view of them).
 */
export function giveFramesSlab(sab: SharedArrayBuffer): void {
  idle.touch();
  let total = sab.byteLength;
  for (const s of free) total += s.byteLength;
  if (total <= POOL_MAX_BYTES) free.push(sab);
}

/** For tests: slabs waiting for reuse. */
export function freeFramesSlabs(): number {
  return free.length;
}
