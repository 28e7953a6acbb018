import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FromRuntime, RuntimeErrorPayload, RuntimeInvoke, ToRuntime } from "../runtime/protocol.js";

/** The runtime bootstrap, compiled beside this file's folder. */
const BOOTSTRAP = fileURLToPath(new URL("../runtime/bootstrap.js", import.meta.url));
/** How often the resident memory of a running invocation is checked. */
const MEMORY_POLL_MS = 50;

/** How one invocation in a runtime process ended. */
export type RunOutcome =
  | { readonly kind: "result"; readonly payload: string }
  | { readonly kind: "error"; readonly error: RuntimeErrorPayload; readonly fatal: boolean }
  | { readonly kind: "timeout" }
  /** The process died: `oom` when it was over its memory (killed by us, or V8 out of heap). */
  | { readonly kind: "exit"; readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly oom: boolean };

/** What a run reports besides its outcome. */
export interface RunReport {
  readonly outcome: RunOutcome;
  /** Everything the function logged during the run. */
  readonly logs: string;
  /** Peak resident memory seen during the run, MB. */
  readonly maxMemoryMb: number;
}

/** How to start a runtime process. */
export interface WorkerSpec {
  readonly taskRoot: string;
  readonly handler: string;
  readonly memoryMb: number;
  /** The process environment (the function's variables plus Lambda's own). */
  readonly env: Readonly<Record<string, string>>;
}

function residentMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m === null ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined; // not Linux, or the process is gone
  }
}

/**
 * One runtime process (child_process.fork of runtime/bootstrap.js) running one invocation at a
 * time. Its V8 heap is capped from MemorySize, and its resident memory is watched while it runs:
 * over MemorySize it is killed, as Lambda's sandbox is.
 */
export class WorkerProcess {
  readonly #child: ChildProcess;
  readonly #memoryMb: number;
  #alive = true;
  /** Set by kill(): the process is on its way out and must not be given work. */
  #doomed = false;
  #busy = false;
  #logs = "";
  #stderrTail = "";
  #current: ((message: FromRuntime) => void) | undefined;
  #onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  /** True until the first invocation has run (Lambda's cold start, reported as Init Duration). */
  fresh = true;
  /** When it last finished an invocation (idle eviction). */
  lastUsed = Date.now();

  constructor(spec: WorkerSpec, onDeath: (worker: WorkerProcess) => void) {
    this.#memoryMb = spec.memoryMb;
    // Lambda's Node.js runtime caps the old generation below the function's memory.
    const heapMb = Math.max(32, Math.floor(spec.memoryMb * 0.9));
    this.#child = fork(BOOTSTRAP, [], {
      execArgv: [`--max-old-space-size=${heapMb}`],
      env: spec.env,
      cwd: spec.taskRoot,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "json",
    });
    const raw = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      this.#logs += text;
      this.#stderrTail = (this.#stderrTail + text).slice(-4096);
    };
    this.#child.stdout?.on("data", raw);
    this.#child.stderr?.on("data", raw);
    this.#child.on("message", (message: FromRuntime) => {
      if (message.type === "log") this.#logs += message.text;
      else this.#current?.(message);
    });
    this.#child.on("error", () => {
      /* surfaced through 'exit' */
    });
    this.#child.once("exit", (code, signal) => {
      this.#alive = false;
      this.#onExit?.(code, signal);
      onDeath(this);
    });
    this.#send({ type: "init", taskRoot: spec.taskRoot, handler: spec.handler });
  }

  /** Running and not being killed. */
  get alive(): boolean {
    return this.#alive && !this.#doomed;
  }

  get busy(): boolean {
    return this.#busy;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  #send(message: ToRuntime): void {
    if (this.#alive && this.#child.connected) this.#child.send(message);
  }

  /** Runs one invocation; never rejects: every way it can end is a RunOutcome. */
  run(invoke: RuntimeInvoke, timeoutMs: number): Promise<RunReport> {
    if (this.#busy) throw new Error("worker already running an invocation");
    this.#busy = true;
    this.#logs = "";
    let maxMemoryMb = residentMb(this.#child.pid) ?? 0;
    let killedForMemory = false;
    return new Promise<RunReport>((resolve) => {
      let done = false;
      const finish = (outcome: RunOutcome): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(watch);
        this.#current = undefined;
        this.#onExit = undefined;
        this.#busy = false;
        this.fresh = false;
        this.lastUsed = Date.now();
        // Let log messages still in flight in the IPC channel arrive first.
        setImmediate(() => resolve({ outcome, logs: this.#logs, maxMemoryMb: Math.ceil(maxMemoryMb) }));
      };
      this.#current = (message) => {
        if (message.type === "result" && message.requestId === invoke.requestId) finish({ kind: "result", payload: message.payload });
        if (message.type === "error" && message.requestId === invoke.requestId) finish({ kind: "error", error: message.error, fatal: message.fatal });
      };
      this.#onExit = (code, signal) => {
        const heapOut = /heap out of memory|Reached heap limit|Allocation failed/i.test(this.#stderrTail);
        finish({ kind: "exit", code, signal, oom: killedForMemory || heapOut });
      };
      const timer = setTimeout(() => {
        this.kill();
        finish({ kind: "timeout" });
      }, timeoutMs);
      const watch = setInterval(() => {
        const rss = residentMb(this.#child.pid);
        if (rss === undefined) return;
        maxMemoryMb = Math.max(maxMemoryMb, rss);
        if (rss > this.#memoryMb) {
          killedForMemory = true;
          this.kill();
        }
      }, MEMORY_POLL_MS);
      if (!this.alive) {
        finish({ kind: "exit", code: this.#child.exitCode, signal: this.#child.signalCode ?? "SIGKILL", oom: false });
        return;
      }
      this.#send(invoke);
    });
  }

  /** Ends the process at once (SIGKILL). */
  kill(): void {
    this.#doomed = true;
    if (this.#alive) this.#child.kill("SIGKILL");
  }
}
