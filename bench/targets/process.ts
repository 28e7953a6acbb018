import { spawn, type ChildProcess } from "node:child_process";

/** A server process the bench started; stopped by its PID. */
export interface ChildServer {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** The last few KiB of what it printed (for error reports). */
  logTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Map<number, ChildProcess>();
let cleanupInstalled = false;

/** Kills (SIGKILL, by PID) every server still running; safe to call from an exit handler. */
export function killAllNow(): void {
  for (const [pid, child] of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}

/** Makes sure no server outlives the bench: on exit, SIGINT and SIGTERM every child is killed by PID. */
export function installCleanup(onSignal: () => Promise<void>): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on("exit", killAllNow);
  let signalled = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (signalled) {
      killAllNow();
      process.exit(130);
    }
    signalled = true;
    process.stderr.write(`\n${signal}: stopping servers...\n`);
    const force = setTimeout(() => {
      killAllNow();
      process.exit(130);
    }, 10_000);
    force.unref();
    void onSignal().finally(() => {
      killAllNow();
      process.exit(130);
    });
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
}

/** What to run and how to learn its port. */
export interface SpawnSpec {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Matched against stdout+stderr; group 1 is the port. */
  readonly portPattern: RegExp;
  readonly startTimeoutMs?: number;
}

/** Starts a Node script as a child server and waits for it to print its port. */
export async function spawnServer(spec: SpawnSpec): Promise<ChildServer> {
  const child = spawn(process.execPath, spec.args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${spec.name}: spawn failed`);
  const pid = child.pid;
  live.set(pid, child);
  let tail = "";
  let seen = "";
  let portFound = false;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${spec.name} did not start within ${spec.startTimeoutMs ?? 30_000} ms:\n${tail}`)), spec.startTimeoutMs ?? 30_000);
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString("utf8");
      tail = (tail + text).slice(-8192);
      if (portFound) return;
      seen = (seen + text).slice(-65536);
      const m = spec.portPattern.exec(seen);
      if (m?.[1] !== undefined) {
        portFound = true;
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (!portFound) reject(new Error(`${spec.name} exited (${code ?? signal}) before listening:\n${tail}`));
    });
  }).catch(async (err: unknown) => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
    live.delete(pid);
    throw err;
  });
  return {
    name: spec.name,
    pid,
    port,
    logTail: () => tail,
    async stop(graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(pid, "SIGTERM");
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
        }, graceMs);
        await exited;
        clearTimeout(timer);
      }
      live.delete(pid);
    },
  };
}
