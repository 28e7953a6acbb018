import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { takeReleasedBytes } from "../util/idle-release.js";

/**
 * One full garbage collection when the server falls idle after a busy spell, handing the freed
 * heap pages back to the OS. V8 keeps the garbage of a burst (a drain, a run of polls) in the old
 * generation until its next mark-compact, and its own memory reducer waits ~8 s of quiet: a
 * server that is busy again after a few seconds kept 40-60 MiB of dead heap resident meanwhile.
 * The collection runs only when the event loop has had nothing to do for `idleMs`, so no request
 * waits behind it unless it arrives during those few milliseconds. It also runs, at the next such
 * quiet moment, after buffer pools let go of `minGrowthBytes / 2` or more (util/idle-release.ts):
 * their dropped buffers (aligned write slabs among them) are freed only by a collection, and
 * without one a later busy spell allocated new ones while the old were still resident.
 */

/** Options of {@link startIdleGc}. */
export interface IdleGcOptions {
  /** The event loop must have been this idle (utilization under 2%) for this long, ms. */
  readonly idleMs: number;
  /** Growth of the heap since the live size the last collection left that makes one worth it (half as many bytes dropped by pools). */
  readonly minGrowthBytes: number;
}

export const DEFAULT_IDLE_GC: IdleGcOptions = { idleMs: 1000, minGrowthBytes: 24 * 1024 * 1024 };

type GcFunction = (options: { type: "major"; execution: "sync"; flavor: "last-resort" }) => void;

const TICK_MS = 250;
const IDLE_UTILIZATION = 0.02;
const BUSY_UTILIZATION = 0.1;

/** When to collect, from one event-loop utilization sample per tick (kept apart from timers and V8 for tests). */
export class IdleGcDecider {
  #quietMs = 0;
  #busySinceGc = false;
  #live: number;
  #released = 0;

  constructor(
    private readonly options: IdleGcOptions,
    liveBytes: number,
  ) {
    this.#live = liveBytes;
  }

  /**
   * One tick of `tickMs` with this utilization (0..1), heap size and bytes that buffer pools
   * dropped during the tick: true to collect now.
   */
  tick(tickMs: number, utilization: number, heapTotal: number, releasedBytes = 0): boolean {
    this.#released += releasedBytes;
    if (utilization >= BUSY_UTILIZATION) this.#busySinceGc = true;
    this.#quietMs = utilization < IDLE_UTILIZATION ? this.#quietMs + tickMs : 0;
    if (this.#quietMs < this.options.idleMs) return false;
    if (this.#released >= this.options.minGrowthBytes / 2) return true;
    if (!this.#busySinceGc) return false;
    this.#busySinceGc = false;
    return heapTotal - this.#live >= this.options.minGrowthBytes;
  }

  /** The heap's used bytes right after a collection (its live size). */
  collected(heapUsed: number): void {
    this.#live = heapUsed;
    this.#released = 0;
    this.#busySinceGc = false;
  }
}

/** Starts watching; returns a stop function. */
export function startIdleGc(options: IdleGcOptions = DEFAULT_IDLE_GC): () => void {
  // `gc` is only reachable with --expose-gc; set at run time, it appears in new contexts.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as GcFunction;
  const decider = new IdleGcDecider(options, process.memoryUsage().heapUsed);
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    if (!decider.tick(TICK_MS, utilization, process.memoryUsage().heapTotal, takeReleasedBytes())) return;
    // "last-resort" collects everything collectable and releases the emptied pages (a plain
    // major GC leaves them pooled and resident).
    gc({ type: "major", execution: "sync", flavor: "last-resort" });
    decider.collected(process.memoryUsage().heapUsed);
  }, TICK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
