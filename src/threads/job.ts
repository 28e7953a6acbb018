/**
 * The contract between the thread pool (pool.ts) and the modules that do work on its threads.
 *
 * A job module exports `run(args)`: called on a pool thread with the arguments the main thread
 * posted (structured-cloned; SharedArrayBuffers shared, not copied), it returns the answer or a
 * promise of it. Messages to one thread are run in the order they were posted, and a module's
 * top-level state lives per thread, so a job that keeps state between runs (a streaming hash)
 * pins its runs to one thread with a lease.
 */

/** A job a pool thread can run: a name and the module (file URL) whose `run` does it. */
export interface ThreadJob {
  /** Unique within the process, e.g. "sigv4-sha256". */
  readonly name: string;
  /** The module's file URL (`new URL("./x-job.js", import.meta.url).href`). */
  readonly module: string;
}

/** Names a job: `module` is the URL of the job module, resolved by its caller. */
export function threadJob(name: string, module: URL): ThreadJob {
  return { name, module: module.href };
}

/** A job module's answer whose ArrayBuffers in `transfer` move to the main thread instead of being copied. */
export class Transfer<T> {
  constructor(
    /** The answer. */
    readonly value: T,
    /** Buffers inside `value` that the job gives up (they are detached on the thread). */
    readonly transfer: readonly ArrayBuffer[],
  ) {}
}

/** A job module's entry point. */
export type JobRun = (args: never) => unknown;

/** Main thread -> pool thread: run `job` with `args`; `id` 0 asks for no answer. */
export interface RunMessage {
  readonly id: number;
  readonly job: string;
  /** Sent the first time a thread is given this job: the module to load. */
  readonly module?: string;
  readonly args: unknown;
}

/** Pool thread -> main thread: a run's answer or why it failed. */
export interface ReplyMessage {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
}
