/** A reader waiting for the log's durable end to reach `until` (its first wanted seq + 1, or the end of the appends in flight). */
interface Waiter {
  readonly until: number;
  readonly done: () => void;
}

/**
 * Readers at a log's tip waiting for records to become durable, each released when the log's
 * durable end reaches `until`, when the log fails, or when its own time is up: a timeout (appends
 * in flight) or the end of the current event-loop turn's I/O (a poll letting the turn's appends go first).
 */
export class InFlightWaiters {
  readonly #waiters: Waiter[] = [];
  #lastAddedAt = Number.NEGATIVE_INFINITY;

  /** How many readers wait now. */
  get size(): number {
    return this.#waiters.length;
  }

  /** performance.now() when a reader last began to wait (readers polling at the tip wait every poll). */
  get lastAddedAt(): number {
    return this.#lastAddedAt;
  }

  /** Resolves once `settle` reports seqs below `until` durable (or a failure), or after `timeoutMs`. */
  wait(until: number, timeoutMs: number): Promise<void> {
    return this.#add(until, (release) => {
      const timer = setTimeout(release, timeoutMs);
      return () => clearTimeout(timer);
    });
  }

  /**
   * Resolves in the check phase of this event-loop turn (setImmediate: after the I/O callbacks of
   * its poll phase), or earlier, as soon as `settle` reports seqs below `until` durable.
   */
  waitTurn(until: number): Promise<void> {
    return this.#add(until, (release) => {
      const immediate = setImmediate(release);
      return () => clearImmediate(immediate);
    });
  }

  /** A waiter for `until`, also released by what `arm` sets up (and cancelled with what it returns). */
  #add(until: number, arm: (release: () => void) => () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        until,
        done: () => {
          cancel();
          resolve();
        },
      };
      const cancel = arm(() => this.#release(waiter));
      this.#waiters.push(waiter);
      this.#lastAddedAt = performance.now();
    });
  }

  /** Releases the waiters whose records are durable now that seqs below `durableEnd` are (all of them when `failed`). */
  settle(durableEnd: number, failed: boolean): void {
    if (this.#waiters.length === 0) return;
    for (const w of this.#waiters.slice()) if (failed || w.until <= durableEnd) this.#release(w);
  }

  #release(waiter: Waiter): void {
    const i = this.#waiters.indexOf(waiter);
    if (i < 0) return;
    this.#waiters.splice(i, 1);
    waiter.done();
  }
}

/** Resolves in the check phase of this event-loop turn (after the I/O callbacks of its poll phase). */
export function afterThisTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
