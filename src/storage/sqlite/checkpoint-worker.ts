// The WAL checkpoint thread of one database (started by wal-checkpointer.ts): its own connection
// runs PASSIVE checkpoints, which copy committed WAL frames into the database file and fsync it,
// off the main thread. It sleeps on the shared state between passes (no event loop work), runs a
// pass at most every intervalMs while commits come in and at once when the main thread asks for a
// complete one, and ends after idleMs without commits.
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";
import { ANSWERED, DONE, LOG, PASSES, REQUEST, SIGNAL, STOP, type CheckpointAnswer, type CheckpointWorkerData } from "./checkpoint-state.js";

const port = parentPort;
if (port === null) throw new Error("checkpoint-worker must run in a worker thread");
const { path, state: shared, intervalMs, idleMs } = workerData as CheckpointWorkerData;
const state = new Int32Array(shared);

const db = new Database(path);
db.pragma("busy_timeout = 5000");
const passive = db.prepare<[], { busy: number; log: number; checkpointed: number }>("PRAGMA wal_checkpoint(PASSIVE)");
let lastPass = -Infinity;

function pass(): void {
  const r = passive.get();
  if (r !== undefined) {
    Atomics.store(state, LOG, r.log);
    Atomics.store(state, DONE, r.checkpointed);
  }
  Atomics.add(state, PASSES, 1);
  lastPass = performance.now();
}

let seen = Atomics.load(state, SIGNAL);
for (;;) {
  if (Atomics.load(state, STOP) !== 0) break;
  const request = Atomics.load(state, REQUEST);
  if (request !== Atomics.load(state, ANSWERED)) {
    // The main thread holds its commits until this answer: the pass copies every frame.
    pass();
    Atomics.store(state, ANSWERED, request);
    port.postMessage({ served: request } satisfies CheckpointAnswer);
    continue;
  }
  const signal = Atomics.load(state, SIGNAL);
  if (signal !== seen) {
    const wait = lastPass + intervalMs - performance.now();
    // Between passes, wake early only for a request (or stop).
    if (wait > 0) Atomics.wait(state, REQUEST, request, wait);
    else {
      seen = signal;
      pass();
    }
    continue;
  }
  const woke = Atomics.wait(state, SIGNAL, signal, idleMs);
  if (woke === "timed-out" && Atomics.load(state, SIGNAL) === signal && Atomics.load(state, REQUEST) === request) break;
}
db.close();
