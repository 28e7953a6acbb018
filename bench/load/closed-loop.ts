import { performance } from "node:perf_hooks";
import { isNotImplemented } from "./http.js";
import { Samples } from "./stats.js";

/** A closed loop: `concurrency` workers, each issuing its next operation when the last one ends. */
export interface LoopOptions {
  /** Operations in flight at once. */
  readonly concurrency: number;
  /** Stop issuing new operations after this long. */
  readonly durationMs: number;
  /** Stop after this many operations were issued (default: no count limit). */
  readonly maxOps?: number;
  /** Give up after this many failed operations (default 20); the loop then throws the first error. */
  readonly maxErrors?: number;
  /** One operation; `seq` counts from 0 across all workers. Resolves to the payload bytes it moved. */
  readonly op: (seq: number) => Promise<number | void>;
}

/** What a loop measured. */
export interface LoopResult {
  readonly ops: number;
  readonly errors: number;
  readonly elapsedMs: number;
  readonly bytes: number;
  /** Per-operation latency samples, ms. */
  readonly latencies: Float64Array;
  /** CPU the load generator's own process used during the loop, as a fraction of one core. */
  readonly clientCpu: number;
}

/** Runs the loop; rethrows at once an error saying the operation is not implemented. */
export async function runClosedLoop(options: LoopOptions): Promise<LoopResult> {
  const maxOps = options.maxOps ?? Number.POSITIVE_INFINITY;
  const maxErrors = options.maxErrors ?? 20;
  const samples = new Samples();
  let issued = 0;
  let done = 0;
  let errors = 0;
  let bytes = 0;
  let firstError: unknown;
  let stop = false;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + options.durationMs;

  async function worker(): Promise<void> {
    while (!stop && issued < maxOps && performance.now() < deadline) {
      const seq = issued++;
      const t0 = performance.now();
      try {
        const moved = await options.op(seq);
        samples.add(performance.now() - t0);
        if (typeof moved === "number") bytes += moved;
        done++;
      } catch (err) {
        errors++;
        firstError ??= err;
        if (isNotImplemented(err) || errors >= maxErrors) stop = true;
      }
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  const elapsedMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  if (firstError !== undefined && (isNotImplemented(firstError) || errors >= maxErrors || done === 0)) throw firstError;
  return {
    ops: done,
    errors,
    elapsedMs,
    bytes,
    latencies: samples.values(),
    clientCpu: (cpu.user + cpu.system) / 1000 / elapsedMs,
  };
}
