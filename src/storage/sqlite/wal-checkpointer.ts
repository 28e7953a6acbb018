import { Worker } from "node:worker_threads";
import { LOG, PASSES, REQUEST, SIGNAL, STATE_WORDS, STOP, type CheckpointAnswer, type CheckpointWorkerData } from "./checkpoint-state.js";
import type { SqliteDatabase } from "./database.js";

/** Tuning of a WalCheckpointer (the defaults suit the server; tests make them small). */
export interface CheckpointOptions {
  /**
   * The thread starts once this many commits come within `startWindowMs` (and again so after it
   * idled out): a store written now and then never pays for a thread (~8 MiB resident).
   */
  readonly startAfterCommits?: number;
  /** See `startAfterCommits`. */
  readonly startWindowMs?: number;
  /** WAL length, in frames, past which the next batch waits for a complete checkpoint so the WAL restarts from its start. */
  readonly restartFrames?: number;
  /** Least time between two passes of the thread while commits come in. */
  readonly intervalMs?: number;
  /** The thread ends after this long without a commit. */
  readonly idleMs?: number;
}

/** What SQLite runs on the main thread when no checkpoint thread runs (openDatabase's setting). */
const MAIN_THREAD_AUTOCHECKPOINT = 10_000;

interface PendingRequest {
  readonly request: number;
  readonly resolve: () => void;
}

/**
 * Checkpoints a WAL database from a thread of its own, so that copying WAL pages into the database
 * file and fsyncing it never runs on the main thread. SQLite's automatic checkpoint runs inside the
 * COMMIT that crosses wal_autocheckpoint: at 4 KiB PUTs that was a 30-90 ms stall of the event
 * loop about once a second. While the thread runs, the main connection has wal_autocheckpoint=0
 * and the thread's connection runs PASSIVE checkpoints (they never block the writer). A PASSIVE
 * checkpoint under steady writes never catches up with the last commit, and SQLite restarts the
 * WAL from its start (reusing its blocks, so the WAL stays bounded) only when a writer begins with
 * every frame copied: so once the WAL passes `restartFrames`, the writer (GroupCommit) holds its
 * next batch, without blocking the event loop, until `checkpointAll()` has copied every frame.
 *
 * Durability is SQLite's own: each checkpoint syncs the WAL before copying and the database file
 * before the WAL may be reused; a commit is durable once its WAL frames are synced (GroupCommit).
 * The thread starts once writes come often (`startAfterCommits` within `startWindowMs`) and ends
 * after `idleMs` without a commit; with no thread (also if it fails) the main connection
 * checkpoints itself as before.
 */
export class WalCheckpointer {
  readonly #db: SqliteDatabase;
  readonly #path: string;
  readonly #startAfter: number;
  readonly #startWindowMs: number;
  #windowStart = 0;
  readonly #baseFrames: number;
  readonly #intervalMs: number;
  readonly #idleMs: number;
  #worker: Worker | undefined;
  #state: Int32Array | undefined;
  #online = false;
  #exited: Promise<void> = Promise.resolve();
  #commits = 0;
  #restartFrames: number;
  /** No hold until the thread has run a pass after this many (the last hold's). */
  #holdAfterPasses = 0;
  #pending: PendingRequest[] = [];
  #broken = false;
  #closed = false;

  constructor(db: SqliteDatabase, path: string, options: CheckpointOptions = {}) {
    this.#db = db;
    this.#path = path;
    this.#startAfter = options.startAfterCommits ?? 64;
    this.#startWindowMs = options.startWindowMs ?? 1_000;
    this.#baseFrames = options.restartFrames ?? 8192;
    this.#restartFrames = this.#baseFrames;
    this.#intervalMs = options.intervalMs ?? 100;
    this.#idleMs = options.idleMs ?? 5_000;
  }

  /** Whether the thread runs the checkpoints now (for tests and diagnostics). */
  get active(): boolean {
    return this.#online;
  }

  /** Whether the thread has been started and has not ended (it may not run checkpoints yet). */
  get started(): boolean {
    return this.#worker !== undefined;
  }

  /** Call after every commit of the main connection. */
  committed(): void {
    const state = this.#state;
    if (state === undefined) {
      if (this.#broken || this.#closed) return;
      const now = performance.now();
      if (this.#commits === 0 || now - this.#windowStart > this.#startWindowMs) {
        this.#windowStart = now;
        this.#commits = 0;
      }
      if (++this.#commits >= this.#startAfter) this.#start();
      return;
    }
    Atomics.add(state, SIGNAL, 1);
    Atomics.notify(state, SIGNAL);
  }

  /** Whether the WAL is long enough that the writer should hold its next batch for `checkpointAll()`. */
  wantsHold(): boolean {
    const state = this.#state;
    if (state === undefined || !this.#online) return false;
    if (Atomics.load(state, PASSES) <= this.#holdAfterPasses) return false;
    const log = Atomics.load(state, LOG);
    // The last hold restarted the WAL: back to the usual length.
    if (log < this.#baseFrames) this.#restartFrames = this.#baseFrames;
    return log >= this.#restartFrames;
  }

  /**
   * Asks the thread for a checkpoint of every frame; call with no write transaction open, and
   * start none until it resolves. Resolves once it is done, or at once when no thread runs;
   * never rejects (a failed thread leaves checkpoints to the main connection).
   */
  checkpointAll(): Promise<void> {
    const state = this.#state;
    const worker = this.#worker;
    if (state === undefined || worker === undefined) return Promise.resolve();
    const request = Atomics.add(state, REQUEST, 1) + 1;
    Atomics.notify(state, REQUEST);
    Atomics.notify(state, SIGNAL);
    // The answer must arrive even where nothing else keeps the event loop alive.
    worker.ref();
    return new Promise<void>((resolve) => this.#pending.push({ request, resolve })).then(() => {
      this.#worker?.unref();
      if (this.#state === undefined) return;
      this.#holdAfterPasses = Atomics.load(this.#state, PASSES);
      // If the WAL does not restart (another connection was reading or writing), the next hold
      // waits for as many new frames again instead of coming at every pass.
      this.#restartFrames = Atomics.load(this.#state, LOG) + this.#baseFrames;
    });
  }

  #start(): void {
    const shared = new SharedArrayBuffer(STATE_WORDS * Int32Array.BYTES_PER_ELEMENT);
    const data: CheckpointWorkerData = { path: this.#path, state: shared, intervalMs: this.#intervalMs, idleMs: this.#idleMs };
    let worker: Worker;
    try {
      // The thread does almost nothing in JavaScript: a small heap keeps its footprint small.
      worker = new Worker(new URL("./checkpoint-worker.js", import.meta.url), {
        workerData: data,
        resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
      });
    } catch {
      this.#broken = true;
      return;
    }
    worker.unref();
    this.#worker = worker;
    this.#state = new Int32Array(shared);
    this.#holdAfterPasses = 0;
    this.#restartFrames = this.#baseFrames;
    worker.on("online", () => {
      if (this.#worker !== worker || this.#closed) return;
      this.#online = true;
      this.#db.pragma("wal_autocheckpoint = 0");
    });
    worker.on("message", (msg: CheckpointAnswer) => this.#answered(msg.served));
    worker.on("error", () => {
      // A thread that cannot checkpoint (say, it cannot open the file) is not tried again.
      this.#broken = true;
    });
    this.#exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    void this.#exited.then(() => this.#stopped(worker));
  }

  #answered(served: number): void {
    const done = this.#pending.filter((p) => p.request <= served);
    this.#pending = this.#pending.filter((p) => p.request > served);
    for (const p of done) p.resolve();
  }

  /** The thread ended (idle, failed, or closed): the main connection checkpoints again. */
  #stopped(worker: Worker): void {
    if (this.#worker !== worker) return;
    this.#worker = undefined;
    this.#state = undefined;
    this.#online = false;
    this.#commits = 0;
    if (!this.#closed && this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${MAIN_THREAD_AUTOCHECKPOINT}`);
    this.#answered(Infinity);
  }

  /** Stops the thread (its connection closes first, so the main one can be the last to close). */
  async close(): Promise<void> {
    this.#closed = true;
    const state = this.#state;
    if (state !== undefined) {
      Atomics.store(state, STOP, 1);
      Atomics.notify(state, SIGNAL);
      Atomics.notify(state, REQUEST);
      this.#worker?.ref();
    }
    await this.#exited;
    this.#answered(Infinity);
  }
}
