import { isIP } from "node:net";
import { resolve } from "node:path";
import type { LogLevel } from "../util/logger.js";

/** The server's settings, parsed once from flags and environment, then frozen. */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Absolute path of the data directory. */
  readonly dataDir: string;
  readonly region: string;
  /** The 12-digit account id of the root user. */
  readonly accountId: string;
  readonly rootAccessKeyId: string;
  readonly rootSecretAccessKey: string;
  /** True when the root credentials are the documented defaults. */
  readonly usingDefaultCredentials: boolean;
  /** Host names under which `<bucket>.<domain>` is virtual-hosted-style S3 addressing. */
  readonly baseDomains: readonly string[];
  readonly logLevel: LogLevel;
  /** Kinesis: enforce the per-shard throughput limits (on by default, off for load tests). */
  readonly kinesisEnforceLimits: boolean;
  /**
   * Lets POST /_streamlake/clock move the server's clock forward (tests of lifecycle and
   * retention). Off unless STREAMLAKE_CLOCK_CONTROL=1; never turn it on in production.
   */
  readonly clockControl: boolean;
  /**
   * Firehose: the smallest BufferingHints.IntervalInSeconds accepted where the service demands
   * 60 s (dynamic partitioning, format conversion). STREAMLAKE_FIREHOSE_MIN_INTERVAL_SECONDS lowers
   * it for local use and tests.
   */
  readonly firehoseMinIntervalSeconds: number;
  /** Firehose: accept http:// HTTP endpoint destinations (the service takes https only). */
  readonly firehoseAllowHttpEndpoints: boolean;
  /** `streamlake serve`: one full GC when the server falls idle after a busy spell (cli/idle-gc.ts). */
  readonly idleGc: boolean;
}

export const DEFAULT_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
export const DEFAULT_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Flag values as given on the command line (already split into name -> value). */
export type Flags = Readonly<Record<string, string | undefined>>;

function bool(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name}: expected true or false, got ${JSON.stringify(value)}`);
}

function seconds(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 900) throw new ConfigError(`${name}: expected whole seconds from 0 to 900, got ${JSON.stringify(value)}`);
  return n;
}

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/** Builds the config from flags (win) and environment variables (STREAMLAKE_*). */
export function parseConfig(flags: Flags, env: Readonly<Record<string, string | undefined>>): Config {
  const pick = (flag: string, envName: string): string | undefined => flags[flag] ?? env[envName];
  const host = pick("host", "STREAMLAKE_HOST") ?? "127.0.0.1";
  const portText = pick("port", "STREAMLAKE_PORT") ?? "4566";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`invalid port ${JSON.stringify(portText)}`);
  const region = pick("region", "STREAMLAKE_REGION") ?? "us-east-1";
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ConfigError(`invalid region ${JSON.stringify(region)}`);
  const accountId = env["STREAMLAKE_ACCOUNT_ID"] ?? "000000000000";
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError("STREAMLAKE_ACCOUNT_ID must be 12 digits");
  const keyId = env["STREAMLAKE_ROOT_ACCESS_KEY_ID"];
  const secret = env["STREAMLAKE_ROOT_SECRET_ACCESS_KEY"];
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new ConfigError("set both STREAMLAKE_ROOT_ACCESS_KEY_ID and STREAMLAKE_ROOT_SECRET_ACCESS_KEY, or neither");
  }
  const usingDefaultCredentials = keyId === undefined;
  if (usingDefaultCredentials && !isLoopback(host)) {
    throw new ConfigError(
      `refusing to listen on non-loopback address ${host} with the default credentials: set STREAMLAKE_ROOT_ACCESS_KEY_ID and STREAMLAKE_ROOT_SECRET_ACCESS_KEY`,
    );
  }
  const domains = (pick("base-domain", "STREAMLAKE_BASE_DOMAIN") ?? "localhost")
    .split(",")
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d !== "");
  const logLevel = (pick("log-level", "STREAMLAKE_LOG_LEVEL") ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error", "silent"].includes(logLevel)) throw new ConfigError(`invalid log level ${logLevel}`);
  return Object.freeze({
    host,
    port,
    dataDir: resolve(pick("data-dir", "STREAMLAKE_DATA_DIR") ?? "./data"),
    region,
    accountId,
    rootAccessKeyId: keyId ?? DEFAULT_ACCESS_KEY_ID,
    rootSecretAccessKey: secret ?? DEFAULT_SECRET_ACCESS_KEY,
    usingDefaultCredentials,
    baseDomains: Object.freeze(domains),
    logLevel,
    kinesisEnforceLimits: bool(pick("kinesis-enforce-limits", "STREAMLAKE_KINESIS_ENFORCE_LIMITS"), true, "kinesis-enforce-limits"),
    clockControl: bool(env["STREAMLAKE_CLOCK_CONTROL"], false, "STREAMLAKE_CLOCK_CONTROL"),
    firehoseMinIntervalSeconds: seconds(env["STREAMLAKE_FIREHOSE_MIN_INTERVAL_SECONDS"], 60, "STREAMLAKE_FIREHOSE_MIN_INTERVAL_SECONDS"),
    firehoseAllowHttpEndpoints: bool(env["STREAMLAKE_FIREHOSE_ALLOW_HTTP_ENDPOINTS"], false, "STREAMLAKE_FIREHOSE_ALLOW_HTTP_ENDPOINTS"),
    idleGc: bool(pick("idle-gc", "STREAMLAKE_IDLE_GC"), true, "idle-gc"),
  });
}
