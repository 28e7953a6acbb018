import { Worker } from "node:worker_threads";

/** A message to the SHA-256 thread: hash the first `length` bytes of `buffer`. */
export interface Sha256Request {
  readonly id: number;
  readonly buffer: SharedArrayBuffer;
  readonly length: number;
}

/** The SHA-256 thread's answer: the hex digest, or why there is none. */
export interface Sha256Reply {
  readonly id: number;
  readonly hex?: string;
  readonly error?: string;
}

interface Pending {
  resolve(hex: string): void;
  reject(err: Error): void;
}

/** An idle isolate keeps several MiB resident: the thread ends after this long without a job. */
const IDLE_MS = 2_000;

/**
 * One worker thread that computes SHA-256 digests of bodies held in shared memory, so that the
 * payload hash of a large signed body costs the main thread one message instead of the hashing
 * (~0.5 ms per 700 KB here). Started on first use; holds the event loop open only while it has
 * jobs, and ends once idle for a while.
 */
class Sha256Thread {
  #worker: Worker | undefined;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #idleTimer: NodeJS.Timeout | undefined;

  digestHex(buffer: SharedArrayBuffer, length: number): Promise<string> {
    const worker = this.#busy();
    const id = this.#nextId++;
    return new Promise<string>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, buffer, length } satisfies Sha256Request);
    });
  }

  #busy(): Worker {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    let worker = this.#worker;
    if (worker === undefined) {
      const w = new Worker(new URL("./sha256-worker.js", import.meta.url));
      w.on("message", (msg: Sha256Reply) => this.#settle(msg));
      const die = (err: Error): void => {
        if (this.#worker !== w) return;
        this.#worker = undefined;
        const pending = [...this.#pending.values()];
        this.#pending.clear();
        for (const p of pending) p.reject(err);
      };
      w.on("error", die);
      w.on("exit", (code) => die(new Error(`sha256 worker exited with code ${code}`)));
      worker = this.#worker = w;
    }
    if (this.#pending.size === 0) worker.ref();
    return worker;
  }

  #settle(msg: Sha256Reply): void {
    const p = this.#pending.get(msg.id);
    if (p === undefined) return;
    this.#pending.delete(msg.id);
    if (msg.hex !== undefined) p.resolve(msg.hex);
    else p.reject(new Error(msg.error ?? "sha256 worker sent no digest"));
    if (this.#pending.size === 0 && this.#worker !== undefined) {
      const worker = this.#worker;
      worker.unref();
      this.#idleTimer = setTimeout(() => {
        if (this.#pending.size > 0 || this.#worker !== worker) return;
        this.#worker = undefined;
        void worker.terminate();
      }, IDLE_MS);
      this.#idleTimer.unref();
    }
  }
}

let shared: Sha256Thread | undefined;

/** The hex SHA-256 of the first `length` bytes of `buffer`, computed on the process's SHA-256 thread. */
export function sha256HexOffThread(buffer: SharedArrayBuffer, length: number): Promise<string> {
  shared ??= new Sha256Thread();
  return shared.digestHex(buffer, length);
}
