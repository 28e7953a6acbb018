/** A reader waiting for the log's durable end to reach `until` (its first wanted seq + 1, or the end of the appends in flight). */
interface Waiter {
  readonly until: number;
  readonly done: () => void;
}

/** Releases of readers waiting for a turn, in the order they began to wait (across every log). */
const turnQueue: (() => void)[] = [];
let turnsScheduled = false;

function releaseNextTurn(): void {
  const release = turnQueue.shift();
  if (turnQueue.length > 0) setImmediate(releaseNextTurn);
  else turnsScheduled = false;
  release?.();
}

/**
 * Queues `release` to run in a check phase, one queued release per event-loop turn. Each released
 * empty poll is answered (its JSON and socket write, ~40 us) in its own turn, and every turn
 * between two of them looks for I/O again (a poll phase that does not block while immediates are
 * pending): a PutRecord that arrives while readers poll back-to-back is read, and its write started,
 * after at most one empty answer instead of after every answer of the turn. The answers keep their
 * order and their total work. Returns the cancel function (the reader was released otherwise).
 */
function nextTurnSlot(release: () => void): () => void {
  turnQueue.push(release);
  if (!turnsScheduled) {
    turnsScheduled = true;
    setImmediate(releaseNextTurn);
  }
  return () => {
    const i = turnQueue.indexOf(release);
    if (i >= 0) turnQueue.splice(i, 1);
  };
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
   * Resolves in a check phase (setImmediate: after the I/O callbacks of a poll phase) once the
   * readers that began to wait for a turn before it, on any log, have been released one per
   * event-loop turn (see `nextTurnSlot`), or earlier, as soon as `settle` reports seqs below
   * `until` durable.
   */
  waitTurn(until: number): Promise<void> {
    return this.#add(until, nextTurnSlot);
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
