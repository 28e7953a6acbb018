import { performance } from "node:perf_hooks";

/** How long a pool of reusable buffers keeps them after its last use, by default. */
export const DEFAULT_POOL_IDLE_MS = 2000;

let releasedSinceTaken = 0;

/**
 * Bytes the pools have let go of since the last call. Dropped buffers are freed only when the
 * garbage collector finds them, which may not happen while the server is quiet (the idle
 * collection in src/cli/idle-gc.ts reads this to collect after a release).
 */
export function takeReleasedBytes(): number {
  const n = releasedSinceTaken;
  releasedSinceTaken = 0;
  return n;
}

/**
 * Runs `release` (which returns the bytes it let go of) once nothing has called `touch()` for
 * `idleMs`: for pools of reusable memory
 * (request arenas, hash copies, aligned write slabs, read blocks) that are worth keeping while
 * traffic flows but otherwise stay resident for the process's life after one busy spell. One
 * unref'd timer at a time, re-armed only when it fires early, so `touch()` costs a clock read.
 */
export class IdleRelease {
  #last = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly release: () => number,
  ) {}

  /** The pool was used now. */
  touch(): void {
    this.#last = performance.now();
    if (this.#timer === undefined) this.#arm(this.idleMs);
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#fire(), ms);
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    const quiet = performance.now() - this.#last;
    if (quiet < this.idleMs) this.#arm(this.idleMs - quiet);
    else releasedSinceTaken += this.release();
  }
}
