// A thread of write-threads.ts: waits for a write in its slot, does it (the fd is O_DSYNC, so it is
// durable when writeSync returns), publishes the outcome in shared memory, and pings the main thread.
import { writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { DONE, FAILED, IDLE, SUBMITTED, type SlotMemory } from "./write-slot.js";

const { control, args, data } = workerData as SlotMemory;
const state = new Int32Array(control);
const numbers = new Float64Array(args);
const bytes = new Uint8Array(data);

let seen = IDLE;
for (;;) {
  // Sleeps while the state is what it last saw (idle, or the outcome the main thread has not collected yet).
  Atomics.wait(state, 0, seen);
  seen = Atomics.load(state, 0);
  if (seen !== SUBMITTED) continue;
  const fd = numbers[0]!;
  const position = numbers[1]!;
  const length = numbers[2]!;
  let outcome = DONE;
  try {
    for (let done = 0; done < length; ) done += writeSync(fd, bytes, done, length - done, position + done);
  } catch (err) {
    state[1] = typeof (err as NodeJS.ErrnoException).errno === "number" ? (err as NodeJS.ErrnoException).errno! : -5; // EIO when unknown
    outcome = FAILED;
  }
  Atomics.store(state, 0, outcome);
  seen = outcome;
  parentPort?.postMessage(0);
}
