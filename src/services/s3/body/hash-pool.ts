import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { createHasher, type ChecksumAlgorithm, type Hasher } from "../checksums.js";

/** A message to a hash worker. */
export type HashRequest =
  | { readonly op: "start"; readonly job: number; readonly md5: boolean; readonly algorithm: ChecksumAlgorithm | null }
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
  /**
   * The digests of everything updated; call once, after the last `update` call (whose promise
   * need not have settled: a thread takes a job's messages in order).
   */
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

/** What one thread's part of a job yields: the MD5 and/or the checksum it was asked for. */
interface PartDigests {
  readonly md5: Buffer | undefined;
  readonly checksum: Buffer | undefined;
}

interface PendingJob {
  readonly updates: Map<number, Deferred<void>>;
  final: Deferred<PartDigests> | undefined;
  /** Roughly how much hashing work the job gives its thread per byte (MD5 4, a checksum 1). */
  readonly weight: number;
}

/** One thread's share of a body's hashing. */
interface SubJob {
  update(buffer: SharedArrayBuffer, offset: number, length: number): Promise<void>;
  digest(): Promise<PartDigests>;
  drop(): void;
}

const toBuffer = (u: Uint8Array | undefined): Buffer | undefined => (u === undefined ? undefined : Buffer.from(u.buffer, u.byteOffset, u.length));

/** One worker thread and the jobs it holds. */
class HashThread {
  readonly worker: Worker;
  readonly jobs = new Map<number, PendingJob>();
  /** Sum of the weights of the jobs on this thread. */
  load = 0;
  dead = false;
  #idleTimer: NodeJS.Timeout | undefined;
  readonly #idleMs: number;
  readonly #onDeath: (thread: HashThread) => void;

  constructor(onDeath: (thread: HashThread) => void, idleMs: number) {
    this.#idleMs = idleMs;
    this.#onDeath = onDeath;
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
    if (msg.error !== undefined) final.reject(new Error(msg.error));
    else final.resolve({ md5: toBuffer(msg.md5), checksum: toBuffer(msg.checksum) });
  }

  /** Stops tracking a job; the thread stops holding the event loop open when it has none left. */
  forget(job: number): void {
    const pending = this.jobs.get(job);
    if (pending === undefined) return;
    this.jobs.delete(job);
    this.load -= pending.weight;
    if (this.jobs.size === 0 && !this.dead) {
      this.worker.unref();
      // An idle isolate keeps ~15 MiB resident: a thread with no job for idleMs goes away.
      this.#idleTimer = setTimeout(() => this.#retire(), this.#idleMs);
      this.#idleTimer.unref();
    }
  }

  /** Takes a job: the thread holds the event loop open and is no longer due to retire. */
  busy(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    this.worker.ref();
  }

  #retire(): void {
    if (this.dead || this.jobs.size > 0) return;
    this.dead = true;
    this.#onDeath(this);
    void this.worker.terminate();
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
  readonly #idleMs: number;
  #nextJob = 1;

  /** `size` threads at most; a thread idle for `idleMs` ends (a new one starts when needed). */
  constructor(size: number, idleMs = 2_000) {
    this.#size = Math.max(1, size);
    this.#idleMs = idleMs;
  }

  /** Threads running now (for tests and diagnostics). */
  get threadCount(): number {
    return this.#threads.length;
  }

  /**
   * Starts hashing one body with MD5 and, if given, the additional checksum. With more than one
   * thread, the checksum runs on another thread than the MD5, so neither waits for the other.
   */
  start(algorithm: ChecksumAlgorithm | undefined): HashJob {
    if (algorithm === undefined || this.#size === 1) {
      const job = this.#startOn(this.#pick(undefined), true, algorithm ?? null, algorithm === undefined ? 4 : 5);
      return {
        update: job.update,
        async digest() {
          const d = await job.digest();
          if (d.md5 === undefined || (algorithm !== undefined && d.checksum === undefined)) throw new Error("hash worker sent no digest");
          return { md5: d.md5, checksum: d.checksum };
        },
        drop: job.drop,
      };
    }
    const md5Thread = this.#pick(undefined);
    const md5 = this.#startOn(md5Thread, true, null, 4);
    const extra = this.#startOn(this.#pick(md5Thread), false, algorithm, 1);
    return {
      async update(buffer, offset, length) {
        const both = await Promise.allSettled([md5.update(buffer, offset, length), extra.update(buffer, offset, length)]);
        for (const r of both) if (r.status === "rejected") throw r.reason;
      },
      async digest() {
        const [m, c] = await Promise.all([md5Of(md5), extra.digest()]);
        if (c.checksum === undefined) throw new Error("hash worker sent no checksum");
        return { md5: m, checksum: c.checksum };
      },
      drop() {
        md5.drop();
        extra.drop();
      },
    };
  }

  /** Starts one thread's share of a job: the MD5 and/or a checksum. */
  #startOn(thread: HashThread, withMd5: boolean, algorithm: ChecksumAlgorithm | null, weight: number): SubJob {
    const id = this.#nextJob++;
    const pending: PendingJob = { updates: new Map(), final: undefined, weight };
    if (thread.jobs.size === 0) thread.busy();
    thread.jobs.set(id, pending);
    thread.load += weight;
    thread.post({ op: "start", job: id, md5: withMd5, algorithm });
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
        return new Promise<PartDigests>((resolve, reject) => {
          pending.final = { resolve, reject };
          thread.post({ op: "finish", job: id });
        });
      },
      drop() {
        if (!thread.jobs.has(id)) return;
        const err = gone();
        for (const d of pending.updates.values()) d.reject(err);
        pending.updates.clear();
        thread.forget(id);
        if (!thread.dead) thread.post({ op: "drop", job: id });
      },
    };
  }

  /**
   * The least loaded thread (other than `avoid` when there is a choice), starting a new one while
   * there are fewer than `size` and none is idle.
   */
  #pick(avoid: HashThread | undefined): HashThread {
    let best: HashThread | undefined;
    for (const t of this.#threads) {
      if (t === avoid) continue;
      if (best === undefined || t.load < best.load) best = t;
    }
    if (best !== undefined && (best.load === 0 || this.#threads.length >= this.#size)) return best;
    if (best === undefined && avoid !== undefined && this.#threads.length >= this.#size) return avoid;
    const thread = new HashThread((dead) => {
      const i = this.#threads.indexOf(dead);
      if (i >= 0) this.#threads.splice(i, 1);
    }, this.#idleMs);
    this.#threads.push(thread);
    return thread;
  }

  /** Stops every thread (their pending jobs fail). */
  async close(): Promise<void> {
    await Promise.all(this.#threads.splice(0).map((t) => t.worker.terminate()));
  }
}

async function md5Of(job: SubJob): Promise<Buffer> {
  const d = await job.digest();
  if (d.md5 === undefined) throw new Error("hash worker sent no MD5");
  return d.md5;
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
