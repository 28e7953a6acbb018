import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseLaunchWords, readLaunchSpec } from "../../src/cli/launch.js";
import type { Endpoint } from "../load/http.js";
import { spawnServer, type ChildServer } from "./process.js";

/** Every server the bench can start. */
export type TargetKind = "streamlake" | "s3rver" | "kinesalite" | "noop" | "fsync";

/** A running server and how to reach it. */
export interface Target {
  readonly kind: TargetKind;
  readonly endpoint: Endpoint;
  readonly server: ChildServer;
  /** The server's own data directory. */
  readonly dataDir: string;
  /** A caveat printed under the table for every workload this target takes part in. */
  readonly note?: string;
}

/** Where targets keep their data. */
export interface DataDirs {
  /** On the machine's disk: where durability costs what it costs. */
  readonly disk: string;
  /** On tmpfs when the machine has one (else the disk dir), for peers that never fsync. */
  readonly memory: string;
}

// dist/bench/targets/targets.js -> project root
const ROOT = resolve(fileURLToPath(import.meta.url), "../../../..");
const DIST_BENCH = join(ROOT, "dist", "bench");
const REGION = "us-east-1";

/** The documented default root credentials (README). */
const STREAMLAKE_CREDS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: REGION };
/** s3rver's hard-coded account (lib/models/account.js). */
const S3RVER_CREDS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER", region: REGION };

const JSON_PORT = /\{"port":(\d+)\}/;

async function waitHealthy(origin: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${origin}/_streamlake/health`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`${origin}: health check did not pass within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * How the Streamlake server is started: as the `streamlake` command starts it (the environment and
 * node flags of its entry point's shebang, src/cli/launch.ts), plus STREAMLAKE_BENCH_NODE_ARGS
 * (space-separated node flags, `NAME=value` words first for the environment) for profiling.
 */
function streamlakeLaunch(entry: string): { env: Record<string, string>; args: string[] } {
  const user = readLaunchSpec(entry);
  const extra = parseLaunchWords((process.env["STREAMLAKE_BENCH_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== ""));
  return { env: { ...user.env, ...extra.env }, args: [...user.nodeArgs, ...extra.nodeArgs] };
}

/** Starts one target with its own directory under one of `dirs`. */
export async function startTarget(kind: TargetKind, dirs: DataDirs): Promise<Target> {
  // s3rver keeps ~3 files per key and never fsyncs; on this machine's ext4 (mounted with
  // `discard`) removing the listing bucket's files took minutes, so it lives on tmpfs, which
  // only spares it disk work (its figures can only improve).
  const onTmpfs = kind === "s3rver" && dirs.memory !== dirs.disk;
  const dir = join(onTmpfs ? dirs.memory : dirs.disk, kind);
  mkdirSync(dir, { recursive: true });
  let server: ChildServer;
  let creds = STREAMLAKE_CREDS;
  switch (kind) {
    case "streamlake": {
      const entry = join(ROOT, "dist", "src", "cli", "main.js");
      const launch = streamlakeLaunch(entry);
      server = await spawnServer({
        name: kind,
        // STREAMLAKE_BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server.
        args: [...launch.args, entry, "serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", dir],
        env: { ...launch.env, STREAMLAKE_KINESIS_ENFORCE_LIMITS: "false" },
        cwd: ROOT,
        portPattern: /"msg":"streamlake listening".*?"port":(\d+)/,
      });
      await waitHealthy(`http://127.0.0.1:${server.port}`, 10_000);
      break;
    }
    case "s3rver":
      creds = S3RVER_CREDS;
      // s3rver's ListObjectsV2 continuation tokens use DES, which Node 17+ only has with the
      // OpenSSL legacy provider: without it every truncated V2 listing answers InternalError.
      server = await spawnServer({
        name: kind,
        args: ["--openssl-legacy-provider", join(DIST_BENCH, "peers", "run-s3rver.js"), dir],
        cwd: ROOT,
        portPattern: JSON_PORT,
      });
      break;
    case "kinesalite":
      server = await spawnServer({ name: kind, args: [join(DIST_BENCH, "peers", "run-kinesalite.js"), dir], cwd: ROOT, portPattern: JSON_PORT });
      break;
    case "noop":
      server = await spawnServer({ name: kind, args: [join(DIST_BENCH, "reference", "noop-server.js")], cwd: ROOT, portPattern: JSON_PORT });
      break;
    case "fsync":
      server = await spawnServer({ name: kind, args: [join(DIST_BENCH, "reference", "fsync-server.js"), dir], cwd: ROOT, portPattern: JSON_PORT });
      break;
  }
  const endpoint = { origin: `http://127.0.0.1:${server.port}`, creds };
  return onTmpfs
    ? { kind, server, endpoint, dataDir: dir, note: "s3rver's data is on tmpfs (it never fsyncs; tmpfs only spares it disk work)" }
    : { kind, server, endpoint, dataDir: dir };
}

export const PROJECT_ROOT = ROOT;
