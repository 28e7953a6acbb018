/** A reader waiting for the appends in flight when it asked (up to seq `until`) to become durable. */
interface Waiter {
  readonly until: number;
  readonly done: () => void;
}

/**
 * Readers at a log's tip waiting for appends that are being made durable, each released when the
 * log's durable end reaches the end of the appends it waited for, when the log fails, or when its
 * own timeout passes.
 */
export class InFlightWaiters {
  readonly #waiters: Waiter[] = [];

  /** Resolves once `settle` reports seqs below `until` durable (or a failure), or after `timeoutMs`. */
  wait(until: number, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        until,
        done: () => {
          clearTimeout(timer);
          const i = this.#waiters.indexOf(waiter);
          if (i >= 0) this.#waiters.splice(i, 1);
          resolve();
        },
      };
      const timer = setTimeout(waiter.done, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Releases the waiters whose appends are durable now that seqs below `durableEnd` are (all of them when `failed`). */
  settle(durableEnd: number, failed: boolean): void {
    if (this.#waiters.length === 0) return;
    for (const w of this.#waiters.slice()) if (failed || w.until <= durableEnd) w.done();
  }
}
