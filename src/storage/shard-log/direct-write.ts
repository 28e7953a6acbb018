import { fdatasyncSync, writeSync, writevSync } from "node:fs";

/**
 * Largest commit (its frames, without the zeros written ahead) that may be written directly:
 * synchronously on the calling (main) thread, as Redis does with `appendfsync always`. A lone 1 KiB
 * O_DSYNC write blocks ~110-180 us on the bench disk, less than any hand-off to another thread and
 * back costs while the main thread is busy (the other thread waits for a core, the completion waits
 * for the main thread to look); bigger commits are throughput and go to a thread or libuv's pool.
 */
export const DIRECT_WRITE_MAX_BYTES = 16 * 1024;
/**
 * A direct write that blocked longer than this (ms; about a young-generation GC pause on a busy
 * server: a shared disk often takes 1-3 ms, during which the record cannot be shown anyway)...
 */
const SLOW_WRITE_MS = 5;
/** ...turns direct writes off for this long (ms): a disk that stalls must not stall the server. */
const SLOW_BACKOFF_MS = 1_000;

let inFlight = 0;
let offUntil = Number.NEGATIVE_INFINITY;

/**
 * Counts `write` as a shard-log write in flight until it settles: while any is, a commit is not
 * alone and is not written directly (it would block the main thread that is to collect the other).
 */
export function inFlightWrite<T>(write: Promise<T>): Promise<T> {
  inFlight++;
  return write.finally(() => inFlight--);
}

/** Whether a commit of `bytes` may be written directly now (nothing else in flight, disk not stalling). */
export function mayWriteDirectly(bytes: number): boolean {
  return bytes <= DIRECT_WRITE_MAX_BYTES && inFlight === 0 && performance.now() >= offUntil;
}

/** Readers that waited at a log's tip this recently (ms) count as polling it. */
const POLLED_RECENTLY_MS = 100;

/**
 * Whether a lone small commit to a log is best written directly, given who reads that log: yes
 * when someone waits for its records right now (a reader parked at the tip this turn, a push
 * consumer), who is answered straight after the write; yes when nobody polls it (only the
 * appender waits). No while readers poll it but none is parked: a write on the write thread
 * leaves the main thread serving, so the reader's next poll, arriving during the write, waits at
 * the tip for it (whenInFlightDurable) and is answered as it completes; a direct write would block
 * that poll, which then came in after the write, behind the turn's other answers (~0.1-0.2 ms
 * later, against the ~0.1 ms the thread's wake-up and completion cost).
 */
export function directWriteHelps(waiting: number, lastWaitAt: number, listeners: number): boolean {
  return waiting > 0 || listeners > 0 || performance.now() - lastWaitAt >= POLLED_RECENTLY_MS;
}

/**
 * Writes `total` bytes of `bufs` at `position` of `fd` on this thread, durable when it returns: the
 * fd is O_DSYNC where `writesAreDurable`, else it is followed by fdatasync. Throws what the write
 * throws (the caller treats the file as failed).
 */
export function writeDirectly(fd: number, bufs: readonly Buffer[], position: number, total: number, writesAreDurable: boolean): void {
  const start = performance.now();
  let done = writevSync(fd, bufs, position);
  if (done < total) {
    const rest = Buffer.concat(bufs, total);
    while (done < total) done += writeSync(fd, rest, done, total - done, position + done);
  }
  if (!writesAreDurable) fdatasyncSync(fd);
  const end = performance.now();
  if (end - start > SLOW_WRITE_MS) offUntil = end + SLOW_BACKOFF_MS;
}
