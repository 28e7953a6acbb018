import type { Logger } from "../util/logger.js";

/** One unit of background work, run repeatedly (the house Worker shape). */
export interface KinesisWorker {
  readonly name: string;
  /** Does a bounded piece of work: "busy" = call again now, "idle" = wait for work, "done" = stop. */
  work(signal: AbortSignal): Promise<"busy" | "idle" | "done">;
  /** Resolves when there may be work again, or when `signal` aborts. */
  waitForWork(signal: AbortSignal): Promise<void>;
  /** One line for status listings. */
  status(): string;
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

const MAX_BACKOFF_MS = 60_000;

/**
 * Runs workers until stopped, backing off (1 s doubling to 60 s) after errors. A stand-in
 * supervisor for the Kinesis workers until the server has a shared one.
 */
export function runKinesisWorkers(workers: readonly KinesisWorker[], logger: Logger): { stop(deadlineMs?: number): Promise<void>; statuses(): string[] } {
  const controller = new AbortController();
  const loops = workers.map(async (w) => {
    let backoff = 0;
    while (!controller.signal.aborted) {
      try {
        const result = await w.work(controller.signal);
        backoff = 0;
        if (result === "done") return;
        if (result === "idle") await w.waitForWork(controller.signal);
      } catch (err) {
        backoff = Math.min(MAX_BACKOFF_MS, backoff === 0 ? 1000 : backoff * 2);
        logger.error("worker failed", { worker: w.name, err: String((err as Error)?.stack ?? err), retryInMs: backoff });
        await sleep(backoff, controller.signal);
      }
    }
  });
  return {
    async stop(deadlineMs = 5000) {
      controller.abort();
      const all = Promise.allSettled(loops);
      const stopper = new AbortController();
      await Promise.race([all, sleep(deadlineMs, stopper.signal)]);
      stopper.abort();
    },
    statuses: () => workers.map((w) => `${w.name}: ${w.status()}`),
  };
}
