import { getSystemErrorName } from "node:util";
import { Worker } from "node:worker_threads";
import { DONE, FAILED, IDLE, SUBMITTED, type SlotMemory } from "./write-slot.js";

/** Largest write a thread takes (bigger group commits go to libuv's pool as before). */
export const THREAD_WRITE_MAX_BYTES = 128 * 1024;
/** Threads (each ~8 MiB of RSS for its isolate): one, since small writes to several logs at once are rare and otherwise go to libuv. */
export const THREAD_SLOTS = 1;

interface Slot {
  readonly memory: SlotMemory;
  readonly state: Int32Array;
  readonly args: Float64Array;
  readonly data: Uint8Array;
  readonly worker: Worker;
  job: { readonly resolve: () => void; readonly reject: (err: Error) => void } | undefined;
}

/**
 * A thread's completion reaches an idle main thread by message, ~30-40 us later than a libuv
 * pool completion would; it only pays off when something checks for finished writes between loop
 * turns. So writes take a thread only while `collectThreadWrites` was called this recently (ms).
 */
const COLLECTED_RECENTLY_MS = 100;

const slots: Slot[] = [];
let started = false;
let lastCollect = Number.NEGATIVE_INFINITY;

function startSlot(): Slot {
  const memory: SlotMemory = {
    control: new SharedArrayBuffer(8),
    args: new SharedArrayBuffer(24),
    data: new SharedArrayBuffer(THREAD_WRITE_MAX_BYTES),
  };
  const worker = new Worker(new URL("./write-thread-worker.js", import.meta.url), {
    workerData: memory,
    // It only loops over writeSync: the smallest heaps V8 takes.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8, codeRangeSizeMb: 2, stackSizeMb: 1 },
  });
  const slot: Slot = { memory, state: new Int32Array(memory.control), args: new Float64Array(memory.args), data: new Uint8Array(memory.data), worker, job: undefined };
  worker.on("message", () => collectSlot(slot));
  worker.on("error", (err) => failSlot(slot, err));
  worker.on("exit", () => failSlot(slot, new Error("shard log write thread exited")));
  worker.unref(); // held (ref) only while it has a write, like any pending I/O
  return slot;
}

function failSlot(slot: Slot, err: Error): void {
  const i = slots.indexOf(slot);
  if (i >= 0) slots.splice(i, 1); // never used again; later writes take libuv's pool
  const job = slot.job;
  slot.job = undefined;
  job?.reject(err);
}

function collectSlot(slot: Slot): void {
  const job = slot.job;
  if (job === undefined) return;
  const state = Atomics.load(slot.state, 0);
  if (state !== DONE && state !== FAILED) return;
  slot.job = undefined;
  const errno = slot.state[1]!;
  Atomics.store(slot.state, 0, IDLE);
  slot.worker.unref();
  if (state === DONE) job.resolve();
  else {
    const code = getSystemErrorName(errno);
    job.reject(Object.assign(new Error(`${code}: durable write to a shard log failed`), { code, errno }));
  }
}

/**
 * Writes `total` bytes of `bufs` at `position` of `fd` (opened with O_DSYNC) on one of a few
 * threads of our own, resolving once the write returned, i.e. once it is durable. Unlike a write on
 * libuv's pool, its completion is published in shared memory, so `collectThreadWrites` can see it
 * from any point of the main thread: a main thread busy answering readers learns that records are
 * durable at its next check instead of at its next event-loop turn. Undefined when the write is
 * too big, every thread is busy, or nothing collected finished writes lately: write it as before then.
 */
export function writeOnThread(fd: number, bufs: readonly Buffer[], position: number, total: number): Promise<void> | undefined {
  if (total > THREAD_WRITE_MAX_BYTES || performance.now() - lastCollect > COLLECTED_RECENTLY_MS) return undefined;
  if (!started) {
    started = true;
    for (let i = 0; i < THREAD_SLOTS; i++) slots.push(startSlot());
  }
  const slot = slots.find((s) => s.job === undefined);
  if (slot === undefined) return undefined;
  let off = 0;
  for (const b of bufs) {
    slot.data.set(b, off);
    off += b.length;
  }
  slot.args[0] = fd;
  slot.args[1] = position;
  slot.args[2] = total;
  slot.state[1] = 0;
  return new Promise<void>((resolve, reject) => {
    slot.job = { resolve, reject };
    slot.worker.ref();
    Atomics.store(slot.state, 0, SUBMITTED);
    Atomics.notify(slot.state, 0);
  });
}

/** Settles every thread write that has finished (cheap: one atomic load per busy thread). */
export function collectThreadWrites(): void {
  lastCollect = performance.now();
  for (const slot of slots) if (slot.job !== undefined) collectSlot(slot);
}
