import { threadJob } from "../../../threads/job.js";
import { sharedThreadPool, sharedThreadPoolSize, ThreadPool, type ThreadLease } from "../../../threads/pool.js";
import { createHasher, type ChecksumAlgorithm, type Hasher } from "../checksums.js";
import type { HashDigests } from "./hash-worker.js";

/** A message to the hash job on a pool thread (hash-worker.ts). */
export type HashRequest =
  | { readonly op: "start"; readonly job: number; readonly md5: boolean; readonly algorithm: ChecksumAlgorithm | null }
  | { readonly op: "update"; readonly job: number; readonly buffer: SharedArrayBuffer; readonly offset: number; readonly length: number }
  | { readonly op: "finish"; readonly job: number }
  | { readonly op: "drop"; readonly job: number };

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

/** What one thread's part of a job yields: the MD5 and/or the checksum it was asked for. */
interface PartDigests {
  readonly md5: Buffer | undefined;
  readonly checksum: Buffer | undefined;
}

/** One thread's share of a body's hashing. */
interface SubJob {
  update(buffer: SharedArrayBuffer, offset: number, length: number): Promise<void>;
  digest(): Promise<PartDigests>;
  drop(): void;
  readonly lease: ThreadLease;
}

const HASH_JOB = threadJob("s3-body-hash", new URL("./hash-worker.js", import.meta.url));

const toBuffer = (u: Uint8Array | undefined): Buffer | undefined => (u === undefined ? undefined : Buffer.from(u.buffer, u.byteOffset, u.length));

/** Job ids are unique in the process: pools may share threads. */
let nextJob = 1;

/**
 * Hashes large bodies off the main thread (MD5 runs at a few hundred MiB/s here: on the main
 * thread it capped a PUT below the disk's speed), on the threads of a `ThreadPool`. Each job
 * stays on one thread (a lease), so its spans are hashed in order; jobs spread over the threads.
 */
export class HashPool {
  readonly #threads: ThreadPool;
  readonly #size: number;
  readonly #owned: boolean;

  /**
   * On `threads` when given (the process's shared pool, `size` its thread count), else on a pool
   * of its own with `size` threads that end after `idleMs` idle.
   */
  constructor(size: number, idleMs = 2_000, threads?: ThreadPool) {
    this.#size = Math.max(1, size);
    this.#owned = threads === undefined;
    this.#threads = threads ?? new ThreadPool(this.#size, idleMs);
  }

  /** Threads running now (for tests and diagnostics). */
  get threadCount(): number {
    return this.#threads.threadCount;
  }

  /**
   * Starts hashing one body with MD5 and, if given, the additional checksum. With more than one
   * thread, the checksum runs on another thread than the MD5, so neither waits for the other.
   */
  start(algorithm: ChecksumAlgorithm | undefined): HashJob {
    if (algorithm === undefined || this.#size === 1) {
      const job = this.#startOn(this.#threads.lease(algorithm === undefined ? 4 : 5), true, algorithm ?? null);
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
    const md5 = this.#startOn(this.#threads.lease(4), true, null);
    const extra = this.#startOn(this.#threads.lease(1, md5.lease), false, algorithm);
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

  /** Starts one thread's share of a job: the MD5 and/or a checksum; the lease ends with the job. */
  #startOn(lease: ThreadLease, withMd5: boolean, algorithm: ChecksumAlgorithm | null): SubJob {
    const job = nextJob++;
    lease.post(HASH_JOB, { op: "start", job, md5: withMd5, algorithm } satisfies HashRequest);
    let running = true;
    const gone = (): Error => new Error("hash job is no longer running");
    return {
      lease,
      update(buffer, offset, length) {
        if (!running || !lease.alive) return Promise.reject(gone());
        return lease.run<undefined>(HASH_JOB, { op: "update", job, buffer, offset, length } satisfies HashRequest).then(() => undefined);
      },
      digest() {
        if (!running || !lease.alive) return Promise.reject(gone());
        running = false;
        const done = lease.run<HashDigests>(HASH_JOB, { op: "finish", job } satisfies HashRequest);
        void done.then(
          () => lease.release(),
          () => lease.release(),
        );
        return done.then((d) => ({ md5: toBuffer(d.md5), checksum: toBuffer(d.checksum) }));
      },
      drop() {
        if (!running) return;
        running = false;
        lease.post(HASH_JOB, { op: "drop", job } satisfies HashRequest);
        lease.release();
      },
    };
  }

  /** Stops the pool's threads if it has its own (their pending jobs fail). */
  async close(): Promise<void> {
    if (this.#owned) await this.#threads.close();
  }
}

async function md5Of(job: SubJob): Promise<Buffer> {
  const d = await job.digest();
  if (d.md5 === undefined) throw new Error("hash worker sent no MD5");
  return d.md5;
}

let shared: HashPool | undefined;

/**
 * The process's hash pool, on the shared thread pool (one thread per core, at most 4). Its threads
 * hold the event loop open only while they have work.
 */
export function sharedHashPool(): HashPool {
  shared ??= new HashPool(sharedThreadPoolSize(), 2_000, sharedThreadPool());
  return shared;
}
