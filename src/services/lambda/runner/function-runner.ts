import type { Logger } from "../../../util/logger.js";
import { LambdaError } from "../errors.js";
import type { RuntimeErrorPayload } from "../runtime/protocol.js";
import { WorkerProcess, type RunReport } from "./worker-process.js";

/** Lambda's limit on a synchronous response payload (Lambda quotas page). */
export const MAX_RESPONSE_BYTES = 6_291_556;

/** Everything needed to run one version of a function. */
export interface RunnableFunction {
  /** Identifies the code and configuration version: warm processes are reused only for the same key. */
  readonly key: string;
  readonly name: string;
  readonly arn: string;
  readonly version: string;
  readonly taskRoot: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** The full environment of the runtime process. */
  readonly env: Readonly<Record<string, string>>;
}

/** An invocation's answer, as Invoke reports it. */
export interface InvocationResult {
  /** The response payload (the handler's JSON result, or the error document). */
  readonly payload: Buffer;
  /** "Unhandled" when the function failed (X-Amz-Function-Error). */
  readonly functionError?: "Unhandled";
  /** The invocation's log: START, the function's output, END and REPORT lines. */
  readonly logs: string;
}

/** Limits of the runner. */
export interface RunnerOptions {
  /** Most runtime processes alive at once, across functions (busy or warm). */
  readonly maxProcesses: number;
  /** A warm process unused this long is ended. */
  readonly idleTimeoutMs: number;
  /** How long an invocation waits for a free process before TooManyRequestsException. */
  readonly queueTimeoutMs: number;
  readonly logger: Logger;
}

/** `RequestId: x Error: ...`, the message Lambda gives failures outside the handler's control. */
function sandboxError(requestId: string, errorType: string, detail: string): RuntimeErrorPayload {
  return { errorType, errorMessage: `RequestId: ${requestId} Error: ${detail}` };
}

function exitDetail(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === "SIGKILL") return "Runtime exited with error: signal: killed";
  if (signal === "SIGABRT") return "Runtime exited with error: signal: aborted (core dumped)";
  if (signal !== null) return `Runtime exited with error: signal: ${signal.toLowerCase().replace(/^sig/, "")}`;
  if (code === 0) return "Runtime exited without providing a reason";
  return `Runtime exited with error: exit status ${code ?? "unknown"}`;
}

/**
 * Runs functions in a pool of child processes: one invocation per process at a time, warm
 * processes reused per function version, at most `maxProcesses` alive (an idle process of
 * another function is ended to make room). A function that throws keeps its process; one that
 * times out, exits, or runs out of memory loses it, and the server carries on.
 */
export class FunctionRunner {
  readonly #idle = new Map<string, WorkerProcess[]>();
  readonly #all = new Map<WorkerProcess, string>();
  readonly #retired = new Set<string>();
  readonly #waiters: (() => void)[] = [];
  readonly #sweeper: NodeJS.Timeout;
  #closed = false;

  constructor(private readonly options: RunnerOptions) {
    this.#sweeper = setInterval(() => this.#evictIdle(), Math.min(options.idleTimeoutMs, 30_000));
    this.#sweeper.unref();
  }

  /** Processes alive now (busy and warm). */
  get processCount(): number {
    return this.#all.size;
  }

  async invoke(fn: RunnableFunction, event: string, requestId: string, clientContext?: unknown): Promise<InvocationResult> {
    const worker = await this.#acquire(fn);
    const cold = worker.fresh;
    const started = performance.now();
    const timeoutMs = fn.timeoutSeconds * 1000;
    let report: RunReport;
    try {
      report = await worker.run(
        {
          type: "invoke",
          requestId,
          event,
          deadlineMs: Date.now() + timeoutMs,
          functionName: fn.name,
          functionVersion: fn.version,
          invokedFunctionArn: fn.arn,
          memoryLimitInMB: String(fn.memoryMb),
          logGroupName: `/aws/lambda/${fn.name}`,
          logStreamName: fn.env["AWS_LAMBDA_LOG_STREAM_NAME"] ?? "",
          ...(clientContext === undefined ? {} : { clientContext }),
        },
        timeoutMs,
      );
    } finally {
      this.#release(worker, fn.key);
    }
    const duration = performance.now() - started;
    return this.#result(fn, requestId, report, duration, cold, worker);
  }

  #result(fn: RunnableFunction, requestId: string, report: RunReport, durationMs: number, cold: boolean, worker: WorkerProcess): InvocationResult {
    const o = report.outcome;
    let payload: Buffer;
    let failed = true;
    let trailer = "";
    let status = "";
    switch (o.kind) {
      case "result":
        payload = Buffer.from(o.payload, "utf8");
        failed = false;
        if (payload.byteLength > MAX_RESPONSE_BYTES) {
          payload = Buffer.from(JSON.stringify({ errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: "Function.ResponseSizeTooLarge" }));
          failed = true;
        }
        break;
      case "error":
        payload = Buffer.from(JSON.stringify(o.error));
        if (o.fatal) worker.kill();
        break;
      case "timeout": {
        // Lambda's answer and log line for a timeout (Lambda "Troubleshoot invocation issues").
        const seconds = fn.timeoutSeconds.toFixed(2);
        payload = Buffer.from(JSON.stringify(sandboxError(requestId, "Sandbox.Timedout", `Task timed out after ${seconds} seconds`)));
        trailer = `${new Date().toISOString()} ${requestId} Task timed out after ${seconds} seconds\n\n`;
        status = "\tStatus: timeout";
        break;
      }
      case "exit": {
        const errorType = o.oom ? "Runtime.OutOfMemory" : "Runtime.ExitError";
        const detail = exitDetail(o.code, o.signal);
        payload = Buffer.from(JSON.stringify(sandboxError(requestId, errorType, detail)));
        trailer = `RequestId: ${requestId} Error: ${detail}\n${errorType}\n`;
        status = o.oom ? "\tStatus: error\tError Type: Runtime.OutOfMemory" : "\tStatus: error\tError Type: Runtime.ExitError";
        break;
      }
    }
    const ms = durationMs.toFixed(2);
    const maxUsed = o.kind === "exit" && o.oom ? fn.memoryMb : Math.min(report.maxMemoryMb, fn.memoryMb);
    const logs =
      `START RequestId: ${requestId} Version: ${fn.version}\n` +
      report.logs +
      trailer +
      `END RequestId: ${requestId}\n` +
      `REPORT RequestId: ${requestId}\tDuration: ${ms} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: ${fn.memoryMb} MB\tMax Memory Used: ${maxUsed} MB\t` +
      (cold ? `Init Duration: 0.00 ms\t` : "") +
      status +
      "\n";
    this.options.logger.debug("lambda invocation", { function: fn.name, requestId, outcome: o.kind, durationMs: Math.round(durationMs) });
    return failed ? { payload, functionError: "Unhandled", logs } : { payload, logs };
  }

  async #acquire(fn: RunnableFunction): Promise<WorkerProcess> {
    const deadline = Date.now() + this.options.queueTimeoutMs;
    for (;;) {
      if (this.#closed) throw new LambdaError("ServiceException", "The function runner is shutting down.");
      const warm = this.#idle.get(fn.key);
      while (warm !== undefined && warm.length > 0) {
        const w = warm.pop()!;
        if (w.alive) return w;
      }
      if (this.#all.size >= this.options.maxProcesses) this.#evictOldestIdle();
      if (this.#all.size < this.options.maxProcesses) return this.#spawn(fn);
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw Object.assign(new LambdaError("TooManyRequestsException", "Rate Exceeded."), { reason: "ConcurrentInvocationLimitExceeded" });
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          const i = this.#waiters.indexOf(wake);
          if (i !== -1) this.#waiters.splice(i, 1);
          resolve();
        }, remaining);
        const wake = (): void => {
          clearTimeout(t);
          resolve();
        };
        this.#waiters.push(wake);
      });
    }
  }

  #spawn(fn: RunnableFunction): WorkerProcess {
    const worker = new WorkerProcess({ taskRoot: fn.taskRoot, handler: fn.handler, memoryMb: fn.memoryMb, env: fn.env }, (dead) => this.#forget(dead));
    this.#all.set(worker, fn.key);
    return worker;
  }

  #release(worker: WorkerProcess, key: string): void {
    if (!worker.alive) return; // #forget already ran or will
    if (this.#closed || this.#retired.has(key)) {
      worker.kill();
      return;
    }
    const list = this.#idle.get(key) ?? [];
    list.push(worker);
    this.#idle.set(key, list);
    this.#wakeOne();
  }

  #forget(worker: WorkerProcess): void {
    const key = this.#all.get(worker);
    this.#all.delete(worker);
    if (key !== undefined) {
      const list = this.#idle.get(key);
      const i = list?.indexOf(worker) ?? -1;
      if (list !== undefined && i !== -1) list.splice(i, 1);
      if (list?.length === 0) this.#idle.delete(key);
      if (this.#retired.has(key) && ![...this.#all.values()].includes(key)) this.#retired.delete(key);
    }
    this.#wakeOne();
  }

  #wakeOne(): void {
    this.#waiters.shift()?.();
  }

  /** Ends a process and stops counting it at once (its exit event arrives later). */
  #discard(worker: WorkerProcess): void {
    worker.kill();
    this.#forget(worker);
  }

  #evictOldestIdle(): void {
    let oldest: WorkerProcess | undefined;
    for (const list of this.#idle.values()) for (const w of list) if (oldest === undefined || w.lastUsed < oldest.lastUsed) oldest = w;
    if (oldest !== undefined) this.#discard(oldest);
  }

  #evictIdle(): void {
    const cutoff = Date.now() - this.options.idleTimeoutMs;
    for (const list of [...this.#idle.values()]) for (const w of [...list]) if (w.lastUsed < cutoff) this.#discard(w);
  }

  /**
   * Stops reusing processes of a function version (its code or configuration changed, or it was
   * deleted): warm ones end now, busy ones when their invocation finishes. Resolves when none is left.
   */
  async retire(key: string): Promise<void> {
    this.#retired.add(key);
    for (const w of [...(this.#idle.get(key) ?? [])]) w.kill(); // #forget runs on their exit: retire() waits for it
    const deadline = Date.now() + 30_000;
    while ([...this.#all.values()].includes(key) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (![...this.#all.values()].includes(key)) this.#retired.delete(key);
  }

  /** Ends every process. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const w of this.#all.keys()) w.kill();
    for (const wake of this.#waiters.splice(0)) wake();
    const deadline = Date.now() + 5000;
    while (this.#all.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}
