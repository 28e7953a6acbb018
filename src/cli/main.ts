#!/usr/bin/env -S MALLOC_ARENA_MAX=1 MALLOC_MMAP_THRESHOLD_=524288 node --max-semi-space-size=8
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createApp } from "../server/app.js";
import { ConfigError, parseConfig } from "../server/config.js";
import { createLogger } from "../util/logger.js";
import { startIdleGc } from "./idle-gc.js";

const USAGE = `Usage: streamlake serve [options]

Options (each also read from the environment variable shown):
  --host <addr>              listen address            STREAMLAKE_HOST    (127.0.0.1)
  --port <n>                 listen port               STREAMLAKE_PORT    (4566)
  --data-dir <path>          data directory            STREAMLAKE_DATA_DIR (./data)
  --region <name>            region served             STREAMLAKE_REGION  (us-east-1)
  --base-domain <d1,d2>      virtual-host S3 domains   STREAMLAKE_BASE_DOMAIN (localhost)
  --log-level <level>        debug|info|warn|error|silent  STREAMLAKE_LOG_LEVEL (info)
  --kinesis-enforce-limits <bool>  per-shard throughput limits  STREAMLAKE_KINESIS_ENFORCE_LIMITS (true)
  --idle-gc <bool>           full GC once idle after a busy spell  STREAMLAKE_IDLE_GC (true)
Credentials: STREAMLAKE_ROOT_ACCESS_KEY_ID / STREAMLAKE_ROOT_SECRET_ACCESS_KEY
`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "data-dir": { type: "string" },
      region: { type: "string" },
      "base-domain": { type: "string" },
      "log-level": { type: "string" },
      "kinesis-enforce-limits": { type: "string" },
      "idle-gc": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const { help: _help, ...flags } = values;
  const config = parseConfig(flags, process.env);
  const logger = createLogger(config.logLevel);
  if (config.usingDefaultCredentials) {
    logger.warn("using the default root credentials; set STREAMLAKE_ROOT_ACCESS_KEY_ID and STREAMLAKE_ROOT_SECRET_ACCESS_KEY", {
      accessKeyId: config.rootAccessKeyId,
    });
  }
  const app = createApp({ config, logger, version: version() });
  const port = await app.start();
  logger.info("streamlake listening", { host: config.host, port, dataDir: config.dataDir, region: config.region });
  if (config.idleGc) startIdleGc();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(130);
    logger.info("shutting down", { signal });
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error("shutdown failed", { err: String(err) });
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "serve") return serve(rest);
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(USAGE);
    return;
  }
  process.stderr.write(`unknown command: ${command}\n${USAGE}`);
  process.exitCode = 2;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true) {
    process.stderr.write(`streamlake: ${(err as Error).message}\n`);
    process.exit(2);
  }
  process.stderr.write(`streamlake: ${String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
