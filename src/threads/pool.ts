import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ReplyMessage, RunMessage, ThreadJob } from "./job.js";

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

/** One pool thread, its runs in flight and how much work it holds. */
class PoolThread {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  /** Jobs whose module this thread has been told about. */
  readonly known = new Set<string>();
  /** Sum of the weights of the runs in flight and leases held on this thread. */
  load = 0;
  /** Runs in flight plus leases held: the thread holds the event loop open only while this is > 0. */
  users = 0;
  dead = false;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly onDeath: (thread: PoolThread) => void,
  ) {
    this.worker = new Worker(new URL("./worker.js", import.meta.url));
    this.worker.unref();
    this.worker.on("message", (msg: ReplyMessage) => this.#settle(msg));
    const die = (err: Error): void => this.#die(err);
    this.worker.on("error", die);
    this.worker.on("exit", (code) => die(new Error(`pool thread exited with code ${code}`)));
  }

  #die(err: Error): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.#idleTimer);
    this.onDeath(this);
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(err);
  }

  #settle(msg: ReplyMessage): void {
    const p = this.pending.get(msg.id);
    if (p === undefined) return;
    this.pending.delete(msg.id);
    if (msg.error !== undefined) p.reject(new Error(msg.error));
    else p.resolve(msg.value);
  }

  /** Takes on a run or lease of `weight`. */
  enter(weight: number): void {
    this.load += weight;
    if (this.users++ === 0) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
      this.worker.ref();
    }
  }

  /** Gives up a run or lease of `weight`; with none left the thread retires after `idleMs`. */
  leave(weight: number): void {
    this.load -= weight;
    if (--this.users > 0 || this.dead) return;
    this.worker.unref();
    // An idle isolate keeps several MiB resident: a thread with nothing to do for idleMs goes away.
    this.#idleTimer = setTimeout(() => {
      if (this.users > 0 || this.dead) return;
      this.dead = true;
      this.onDeath(this);
      void this.worker.terminate();
    }, this.idleMs);
    this.#idleTimer.unref();
  }

  post(id: number, job: ThreadJob, args: unknown, transfer: readonly ArrayBuffer[] | undefined): void {
    const first = !this.known.has(job.name);
    if (first) this.known.add(job.name);
    const msg: RunMessage = first ? { id, job: job.name, module: job.module, args } : { id, job: job.name, args };
    this.worker.postMessage(msg, transfer as ArrayBuffer[] | undefined);
  }
}

/** Per-run options. */
export interface RunOptions {
  /** How much work the run gives its thread, relative to other runs (default 1): spreads load. */
  readonly weight?: number;
  /** ArrayBuffers in `args` to move to the thread instead of copying. */
  readonly transfer?: readonly ArrayBuffer[];
}

/** A series of runs pinned to one thread, run there in the order posted. */
export interface ThreadLease {
  /** Runs `job` on the lease's thread after everything posted before; resolves with its answer. */
  run<T>(job: ThreadJob, args: unknown, transfer?: readonly ArrayBuffer[]): Promise<T>;
  /** Posts `job` without asking for an answer (its failure is not reported). */
  post(job: ThreadJob, args: unknown): void;
  /** Whether the thread is still there (a dead thread's runs fail). */
  readonly alive: boolean;
  /** Ends the lease: the thread may retire once it has nothing else to do. */
  release(): void;
}

/**
 * A few worker threads shared by everything that moves CPU work off the main thread (payload
 * hashes of signed bodies, S3 body digests, Kinesis PutRecords bodies). A thread starts on first
 * use, holds the event loop open only while it has work, and ends once idle for a while. Jobs are
 * modules named by file URL (see job.ts), so this folder imports none of its users.
 */
export class ThreadPool {
  readonly #threads: PoolThread[] = [];
  readonly #size: number;
  readonly #idleMs: number;
  #nextId = 1;

  /** `size` threads at most; a thread with nothing to do for `idleMs` ends. */
  constructor(size: number, idleMs = 2_000) {
    this.#size = Math.max(1, size);
    this.#idleMs = idleMs;
  }

  /** Threads running now (for tests and diagnostics). */
  get threadCount(): number {
    return this.#threads.length;
  }

  /** Runs `job` with `args` on the least loaded thread; resolves with its answer. */
  run<T>(job: ThreadJob, args: unknown, options: RunOptions = {}): Promise<T> {
    return this.#run<T>(this.#pick(undefined), options.weight ?? 1, job, args, options.transfer);
  }

  /**
   * Pins a series of runs to one thread (the least loaded one other than `avoid`'s, when there is
   * a choice) until `release()`: for jobs that keep state between runs.
   */
  lease(weight: number, avoid?: ThreadLease): ThreadLease {
    const avoidThread = avoid instanceof Lease ? avoid.thread : undefined;
    const thread = this.#pick(avoidThread);
    thread.enter(weight);
    // A lease's runs add no load of their own (the lease carries it), but each holds the thread.
    return new Lease(thread, weight, (j, a, t) => this.#run(thread, 0, j, a, t));
  }

  /**
   * Posts one run of `weight` to `thread` (used by leases too). The run holds the thread, and so
   * the event loop, until its answer is in, even when a lease it was posted on ends first.
   */
  #run<T>(thread: PoolThread, weight: number, job: ThreadJob, args: unknown, transfer: readonly ArrayBuffer[] | undefined): Promise<T> {
    if (thread.dead) return Promise.reject(new Error("pool thread is gone"));
    const id = this.#nextId++;
    thread.enter(weight);
    return new Promise<T>((resolve, reject) => {
      thread.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      thread.post(id, job, args, transfer);
    }).finally(() => thread.leave(weight));
  }

  /**
   * The least loaded thread (other than `avoid` when there is a choice), starting a new one while
   * there are fewer than `size` and none is idle.
   */
  #pick(avoid: PoolThread | undefined): PoolThread {
    let best: PoolThread | undefined;
    for (const t of this.#threads) {
      if (t === avoid) continue;
      if (best === undefined || t.load < best.load) best = t;
    }
    if (best !== undefined && (best.load === 0 || this.#threads.length >= this.#size)) return best;
    if (best === undefined && avoid !== undefined && this.#threads.length >= this.#size) return avoid;
    const thread = new PoolThread(this.#idleMs, (dead) => {
      const i = this.#threads.indexOf(dead);
      if (i >= 0) this.#threads.splice(i, 1);
    });
    this.#threads.push(thread);
    return thread;
  }

  /** Stops every thread (their pending runs fail). */
  async close(): Promise<void> {
    await Promise.all(this.#threads.splice(0).map((t) => t.worker.terminate()));
  }
}

class Lease implements ThreadLease {
  #released = false;

  constructor(
    readonly thread: PoolThread,
    private readonly weight: number,
    private readonly runOn: (job: ThreadJob, args: unknown, transfer: readonly ArrayBuffer[] | undefined) => Promise<unknown>,
  ) {}

  get alive(): boolean {
    return !this.thread.dead;
  }

  run<T>(job: ThreadJob, args: unknown, transfer?: readonly ArrayBuffer[]): Promise<T> {
    if (this.#released) return Promise.reject(new Error("thread lease was released"));
    return this.runOn(job, args, transfer) as Promise<T>;
  }

  post(job: ThreadJob, args: unknown): void {
    if (this.#released || this.thread.dead) return;
    this.thread.post(0, job, args, undefined);
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.thread.leave(this.weight);
  }
}

let shared: ThreadPool | undefined;

/** Threads of the process's shared pool: one per core, at most 4. */
export function sharedThreadPoolSize(): number {
  return Math.min(4, availableParallelism());
}

/** The process's thread pool, made on first use with `sharedThreadPoolSize()` threads. */
export function sharedThreadPool(): ThreadPool {
  shared ??= new ThreadPool(sharedThreadPoolSize());
  return shared;
}
