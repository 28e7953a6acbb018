import type { Logger } from "../util/logger.js";

/**
 * The one way background work runs (cf. Garage's util/background/worker.rs): a Worker does
 * bounded passes, the supervisor calls it again while it is busy, waits while it is idle, backs
 * off after errors (1 s doubling to 60 s), and stops it within a deadline at shutdown.
 */

/** What one pass found: "busy" = call again now, "idle" = wait for work, "done" = never call again. */
export type WorkResult = "busy" | "idle" | "done";

/** One kind of background work. */
export interface Worker {
  /** Name shown in listings and logs, e.g. "kinesis-retention". */
  readonly name: string;
  /** Does a bounded piece of work, ending early once `signal` aborts. A throw is retried after a backoff. */
  work(signal: AbortSignal): Promise<WorkResult>;
  /** Resolves when there may be work again, or as soon as `signal` aborts. */
  waitForWork(signal: AbortSignal): Promise<void>;
  /** One line describing progress, for listings. */
  status(): string;
}

/** A running worker as listings show it. */
export interface WorkerInfo {
  /** The worker's name. */
  readonly name: string;
  /** "busy" in a pass, "idle" waiting for work, "backoff" waiting after an error. */
  readonly state: "busy" | "idle" | "backoff";
  /** The worker's own status line. */
  readonly status: string;
  /** Failed passes in a row (0 once a pass succeeds). */
  readonly errors: number;
  /** The last failure's message, while `errors` > 0. */
  readonly lastError?: string;
}

/** One registered worker. */
export interface WorkerHandle {
  /** Stops this worker alone: aborts its signal and waits up to `deadlineMs` for its pass to end. */
  stop(deadlineMs?: number): Promise<void>;
}

/** Runs the server's workers; services register theirs when they start. */
export interface Supervisor {
  /** Starts running `worker` until it returns "done" or is stopped (inert once the supervisor has stopped). */
  register(worker: Worker): WorkerHandle;
  /** The workers still running, in the order they were registered. */
  list(): WorkerInfo[];
  /** Stops every worker, waiting up to `deadlineMs` for all of them. */
  stop(deadlineMs?: number): Promise<void>;
}

/** Resolves after `ms` or when `signal` aborts, whichever comes first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;
const DEFAULT_STOP_DEADLINE_MS = 5000;

interface Running {
  readonly worker: Worker;
  readonly controller: AbortController;
  loop: Promise<void>;
  state: WorkerInfo["state"];
  errors: number;
  lastError: string | undefined;
}

/** Waits for `loops` to end, or `deadlineMs`; says whether they all ended in time. */
async function settleWithin(loops: readonly Promise<void>[], deadlineMs: number): Promise<boolean> {
  const timer = new AbortController();
  let inTime = false;
  await Promise.race([Promise.allSettled(loops).then(() => (inTime = true)), sleep(deadlineMs, timer.signal)]);
  timer.abort();
  return inTime;
}

function statusOf(worker: Worker): string {
  try {
    return worker.status();
  } catch (err) {
    return `status failed: ${String((err as Error)?.message ?? err)}`;
  }
}

/** A supervisor that logs failures through `logger`. */
export function createSupervisor(logger: Logger): Supervisor {
  const running = new Set<Running>();
  let stopped = false;

  async function run(r: Running): Promise<void> {
    const { worker, controller } = r;
    let backoff = 0;
    while (!controller.signal.aborted) {
      try {
        r.state = "busy";
        const result = await worker.work(controller.signal);
        backoff = 0;
        r.errors = 0;
        r.lastError = undefined;
        if (result === "done") return;
        if (result === "idle") {
          r.state = "idle";
          await worker.waitForWork(controller.signal);
        }
      } catch (err) {
        backoff = Math.min(MAX_BACKOFF_MS, backoff === 0 ? FIRST_BACKOFF_MS : backoff * 2);
        r.state = "backoff";
        r.errors += 1;
        r.lastError = String((err as Error)?.message ?? err);
        logger.error("worker failed", { worker: worker.name, err: String((err as Error)?.stack ?? err), retryInMs: backoff });
        await sleep(backoff, controller.signal);
      }
    }
  }

  async function stopAll(rs: readonly Running[], deadlineMs: number): Promise<void> {
    for (const r of rs) r.controller.abort();
    if (!(await settleWithin(rs.map((r) => r.loop), deadlineMs))) {
      const late = rs.filter((r) => running.has(r)).map((r) => r.worker.name);
      logger.warn("workers did not stop within the deadline", { workers: late, deadlineMs });
    }
  }

  return {
    register(worker) {
      const controller = new AbortController();
      if (stopped) controller.abort();
      const r: Running = { worker, controller, loop: Promise.resolve(), state: "busy", errors: 0, lastError: undefined };
      running.add(r);
      r.loop = run(r).finally(() => running.delete(r));
      return { stop: (deadlineMs = DEFAULT_STOP_DEADLINE_MS) => stopAll([r], deadlineMs) };
    },
    list: () =>
      [...running].map((r) => ({
        name: r.worker.name,
        state: r.state,
        status: statusOf(r.worker),
        errors: r.errors,
        ...(r.lastError === undefined ? {} : { lastError: r.lastError }),
      })),
    stop(deadlineMs = DEFAULT_STOP_DEADLINE_MS) {
      stopped = true;
      return stopAll([...running], deadlineMs);
    },
  };
}
