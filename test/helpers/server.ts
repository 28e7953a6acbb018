import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The documented default root credentials (README). */
export const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
export const SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
export const REGION = "us-east-1";

const root = resolve(fileURLToPath(import.meta.url), "../../../..");
export const CLI = join(root, "dist", "src", "cli", "main.js");
export const PROJECT_ROOT = root;

export interface RunningServer {
  readonly endpoint: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Everything the server wrote to stderr so far (its JSON log). */
  log(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL (crash) and wait for exit. */
  kill(): Promise<void>;
  /** Stop and remove the data directory (unless it was given). */
  dispose(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a data directory (restart after a crash); a fresh temp dir by default. */
  readonly dataDir?: string;
  readonly env?: Record<string, string>;
  readonly args?: string[];
}

/** Starts `streamlake serve` on a free port with its own data dir and waits until /_streamlake/health answers. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "streamlake-test-"));
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, ...(options.args ?? [])], {
    env: { ...process.env, STREAMLAKE_LOG_LEVEL: "info", ...options.env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${log}`)), 30_000);
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      log += chunk;
      const m = /"msg":"streamlake listening".*?"port":(\d+)/.exec(log);
      if (m !== null) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/_streamlake/health`);
      if (res.status === 200) break;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`health check never passed:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  return {
    endpoint,
    port,
    dataDir,
    pid: child.pid!,
    process: child,
    log: () => log,
    stop,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    async dispose() {
      await stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Options for AWS SDK v3 clients pointed at a test server. */
export function clientConfig(server: RunningServer) {
  return {
    endpoint: server.endpoint,
    region: REGION,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
  };
}

/** Environment for boto3 / the AWS CLI run as child processes against a test server. */
export function awsEnv(server: RunningServer): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_DEFAULT_REGION: REGION,
    AWS_ENDPOINT_URL: server.endpoint,
    STREAMLAKE_ENDPOINT: server.endpoint,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    PYTHONDONTWRITEBYTECODE: "1",
  };
}
