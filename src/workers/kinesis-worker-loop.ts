import type { Logger } from "../util/logger.js";
import { createSupervisor, type Worker } from "./supervisor.js";

/**
 * The Kinesis workers' former loop, now a thin adapter over the shared supervisor
 * (src/workers/supervisor.ts). It stays only while Firehose's service still imports it; once
 * Firehose registers with the server's supervisor (ServiceDeps.workers), delete this file.
 */

export { sleep } from "./supervisor.js";
/** The shared Worker interface under its former name. */
export type KinesisWorker = Worker;

/** Runs `workers` under a supervisor of their own. */
export function runKinesisWorkers(workers: readonly Worker[], logger: Logger): { stop(deadlineMs?: number): Promise<void>; statuses(): string[] } {
  const supervisor = createSupervisor(logger);
  for (const w of workers) supervisor.register(w);
  return {
    stop: (deadlineMs) => supervisor.stop(deadlineMs),
    statuses: () => supervisor.list().map((w) => `${w.name}: ${w.status}`),
  };
}
