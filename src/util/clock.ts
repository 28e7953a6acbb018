/** The source of time for everything that ages data (lifecycle, retention, iterators, presign expiry). */
export interface Clock {
  /** Milliseconds since the Unix epoch, as Date.now(). */
  now(): number;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that tests move by hand; starts at `start` (default: the real now). */
export class ManualClock implements Clock {
  #now: number;
  constructor(start: number = Date.now()) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms;
  }
  /** Sets the time to `ms` since the epoch. */
  set(ms: number): void {
    this.#now = ms;
  }
}

/**
 * A clock offset from the system clock, so an out-of-process server can be moved forward by a
 * test through the admin endpoint while still ticking on its own.
 */
export class OffsetClock implements Clock {
  #offset = 0;
  now(): number {
    return Date.now() + this.#offset;
  }
  /** Moves time forward by `ms` milliseconds (cumulative). */
  advance(ms: number): void {
    this.#offset += ms;
  }
  /** How far ahead of the system clock this clock runs, in ms. */
  get offset(): number {
    return this.#offset;
  }
}
