import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { createHasher, type ChecksumAlgorithm, type Hasher } from "../checksums.js";

/** A message to a hash worker. */
export type HashRequest =
  | { readonly op: "start"; readonly job: number; readonly algorithm: ChecksumAlgorithm | null }
  | { readonly op: "update"; readonly job: number; readonly seq: number; readonly buffer: SharedArrayBuffer; readonly offset: number; readonly length: number }
  | { readonly op: "finish"; readonly job: number }
  | { readonly op: "drop"; readonly job: number };

/** A hash worker's answer to an update (`seq` >= 0) or a finish (`seq` -1, with the digests). */
export interface HashReply {
  readonly job: number;
  readonly seq: number;
  readonly md5?: Uint8Array;
  readonly checksum?: Uint8Array;
  readonly error?: string;
}

/** The digests of a finished hash job. */
export interface Digests {
  /** Raw MD5 of the bytes. */
  readonly md5: Buffer;
  /** Raw digest of the additional checksum, when one was asked for. */
  readonly checksum: Buffer | undefined;
}

/** The MD5 and optional checksum of one body, fed in order. */
export interface HashJob {
  /**
   * Hashes `length` bytes of `buffer` from `offset`, after every earlier update. Resolves once they
   * are hashed: only then may the caller reuse those bytes.
   */
  update(buffer: SharedArrayBuffer, offset: number, length: number): Promise<void>;
  /** The digests of everything updated; call once, after the last update. */
  digest(): Promise<Digests>;
  /** Forgets the job after a failure; its pending updates may still settle. */
  drop(): void;
}

/** Hashes on the calling thread: for bodies too small to be worth a hop to a worker. */
export function localHashJob(algorithm: ChecksumAlgorithm | undefined): HashJob {
  const md5: Hasher = createHasher("MD5");
  const extra = algorithm === undefined ? undefined : createHasher(algorithm);
  return {
    update(buffer, offset, length) {
      const bytes = new Uint8Array(buffer, offset, length);
      md5.update(bytes);
      extra?.update(bytes);
      return Promise.resolve();
    },
    async digest() {
      return { md5: await md5.digest(), checksum: extra === undefined ? undefined : await extra.digest() };
    },
    drop() {},
  };
}

interface Deferred<T> {
  resolve(value: T): void;
  reject(err: Error): void;
}

interface PendingJob {
  readonly updates: Map<number, Deferred<void>>;
  final: Deferred<Digests> | undefined;
}

/** One worker thread and the jobs it holds. */
class HashThread {
  readonly worker: Worker;
  readonly jobs = new Map<number, PendingJob>();
  dead = false;

  constructor(onDeath: (thread: HashThread) => void) {
    this.worker = new Worker(new URL("./hash-worker.js", import.meta.url));
    this.worker.unref();
    this.worker.on("message", (msg: HashReply) => this.settle(msg));
    const die = (err: Error): void => {
      if (this.dead) return;
      this.dead = true;
      onDeath(this);
      for (const job of this.jobs.values()) {
        for (const d of job.updates.values()) d.reject(err);
        job.final?.reject(err);
      }
      this.jobs.clear();
    };
    this.worker.on("error", die);
    this.worker.on("exit", (code) => die(new Error(`hash worker exited with code ${code}`)));
  }

  private settle(msg: HashReply): void {
    const job = this.jobs.get(msg.job);
    if (job === undefined) return;
    if (msg.seq >= 0) {
      const d = job.updates.get(msg.seq);
      job.updates.delete(msg.seq);
      if (msg.error !== undefined) d?.reject(new Error(msg.error));
      else d?.resolve();
      return;
    }
    const final = job.final;
    this.forget(msg.job);
    if (final === undefined) return;
    if (msg.error !== undefined || msg.md5 === undefined) final.reject(new Error(msg.error ?? "hash worker sent no digest"));
    else {
      const c = msg.checksum;
      final.resolve({ md5: Buffer.from(msg.md5.buffer, msg.md5.byteOffset, msg.md5.length), checksum: c === undefined ? undefined : Buffer.from(c.buffer, c.byteOffset, c.length) });
    }
  }

  /** Stops tracking a job; the thread stops holding the event loop open when it has none left. */
  forget(job: number): void {
    if (this.jobs.delete(job) && this.jobs.size === 0 && !this.dead) this.worker.unref();
  }

  post(msg: HashRequest): void {
    this.worker.postMessage(msg);
  }
}

/**
 * A few worker threads that hash large bodies off the main thread (MD5 runs at a few hundred
 * MiB/s here: on the main thread it capped a PUT below the disk's speed). Each job stays on one
 * thread, so its spans are hashed in order; jobs spread over the threads.
 */
export class HashPool {
  readonly #threads: HashThread[] = [];
  readonly #size: number;
  #nextJob = 1;

  constructor(size: number) {
    this.#size = Math.max(1, size);
  }

  /** Starts hashing one body with MD5 and, if given, the additional checksum. */
  start(algorithm: ChecksumAlgorithm | undefined): HashJob {
    const thread = this.#pick();
    const id = this.#nextJob++;
    const pending: PendingJob = { updates: new Map(), final: undefined };
    if (thread.jobs.size === 0) thread.worker.ref();
    thread.jobs.set(id, pending);
    thread.post({ op: "start", job: id, algorithm: algorithm ?? null });
    let seq = 0;
    const gone = (): Error => new Error("hash job is no longer running");
    return {
      update(buffer, offset, length) {
        if (thread.dead || !thread.jobs.has(id)) return Promise.reject(gone());
        const n = seq++;
        return new Promise<void>((resolve, reject) => {
          pending.updates.set(n, { resolve, reject });
          thread.post({ op: "update", job: id, seq: n, buffer, offset, length });
        });
      },
      digest() {
        if (thread.dead || !thread.jobs.has(id)) return Promise.reject(gone());
        return new Promise<Digests>((resolve, reject) => {
          pending.final = { resolve, reject };
          thread.post({ op: "finish", job: id });
        });
      },
      drop() {
        if (!thread.jobs.has(id)) return;
        thread.forget(id);
        if (!thread.dead) thread.post({ op: "drop", job: id });
      },
    };
  }

  /** The thread with the fewest jobs, starting a new one while there are fewer than `size` and all are busy. */
  #pick(): HashThread {
    let best: HashThread | undefined;
    for (const t of this.#threads) if (best === undefined || t.jobs.size < best.jobs.size) best = t;
    if (best !== undefined && (best.jobs.size === 0 || this.#threads.length >= this.#size)) return best;
    const thread = new HashThread((dead) => {
      const i = this.#threads.indexOf(dead);
      if (i >= 0) this.#threads.splice(i, 1);
    });
    this.#threads.push(thread);
    return thread;
  }

  /** Stops every thread (their pending jobs fail). */
  async close(): Promise<void> {
    await Promise.all(this.#threads.splice(0).map((t) => t.worker.terminate()));
  }
}

let shared: HashPool | undefined;

/**
 * The process's hash pool, made on first use with one thread per core (at most 4). Its threads
 * hold the event loop open only while they have jobs.
 */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool(Math.min(4, availableParallelism()));
  return shared;
}
