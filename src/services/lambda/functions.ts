import { randomBytes, randomUUID } from "node:crypto";
import type { FunctionStore, StoredFunction } from "../../storage/lambda-functions/function-store.js";
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import { codeDir, removeCode } from "./code-package.js";
import type { LambdaCodeSource } from "./code-source.js";
import { functionNotFound, LambdaError } from "./errors.js";
import { functionArn, parseFunctionRef } from "./names.js";
import type { FunctionRunner, RunnableFunction } from "./runner/function-runner.js";
import type { FunctionConfiguration } from "./shapes/types.js";

/** What a Lambda operation gets besides its input. */
export interface LambdaContext {
  readonly functions: FunctionStore;
  readonly runner: FunctionRunner;
  /** Where code packages are unpacked (<data-dir>/lambda). */
  readonly codeRoot: string;
  /** Reads Code.S3Bucket/S3Key objects; undefined until the server wires S3 in. */
  readonly codeSource: LambdaCodeSource | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly region: string;
  /** The caller's account. */
  readonly accountId: string;
  readonly requestId: string;
  /** Keeps an Event (asynchronous) invocation running after the response, tracked for shutdown. */
  readonly background: (work: Promise<unknown>) => void;
}

/** A function as stored: its configuration as the API reports it, its tags, and its code directory's name. */
export interface FunctionDoc {
  readonly Configuration: FunctionConfiguration;
  readonly Tags: Readonly<Record<string, string>>;
  /** SHA-256 (hex) of the package: the code directory's name. */
  readonly CodeSha256Hex: string;
}

/** The runtimes this server runs (it runs them all on its own Node.js). */
export const SUPPORTED_RUNTIMES = ["nodejs18.x", "nodejs20.x", "nodejs22.x"] as const;
export const DEFAULT_TIMEOUT_SECONDS = 3;
export const DEFAULT_MEMORY_MB = 128;
/** Lambda's maximum function timeout (Lambda quotas page). */
export const MAX_TIMEOUT_SECONDS = 900;

/** Names Lambda reserves for itself; functions may not set them (Lambda "Defined runtime environment variables"). */
const RESERVED_ENV = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);
/** Lambda's 4 KB limit on the environment (Lambda quotas page). */
const MAX_ENV_BYTES = 4096;

/** Lambda's LastModified form: 2024-01-02T03:04:05.678+0000. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

export function newRevisionId(): string {
  return randomUUID();
}

/** Refuses runtimes this server cannot run, worded as Lambda refuses deprecated ones. */
export function checkRuntime(runtime: string | undefined): void {
  if (runtime === undefined || (SUPPORTED_RUNTIMES as readonly string[]).includes(runtime)) return;
  if (/^nodejs(\d+\.\d+|\d+\.x|4\.3-edge)?$/.test(runtime) && !runtime.startsWith("nodejs24")) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (nodejs22.x) while creating or updating functions.`,
    );
  }
  throw new LambdaError("InvalidParameterValueException", `The runtime parameter of ${runtime} is not supported by this server; it runs ${SUPPORTED_RUNTIMES.join(", ")}.`);
}

/** Timeout beyond Lambda's 900 s is a validation error, as Lambda reports it. */
export function checkTimeout(timeout: number | undefined): void {
  if (timeout !== undefined && timeout > MAX_TIMEOUT_SECONDS) {
    throw new LambdaError("ValidationException", `1 validation error detected: Value '${timeout}' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to ${MAX_TIMEOUT_SECONDS}`);
  }
}

/** Lambda's checks on Environment.Variables: reserved names and the 4 KB total. */
export function checkEnvironment(variables: Readonly<Record<string, string>> | undefined): void {
  if (variables === undefined) return;
  const reserved = Object.keys(variables).filter((k) => RESERVED_ENV.has(k));
  if (reserved.length > 0) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(",")}`,
    );
  }
  const measured = JSON.stringify(variables);
  if (Buffer.byteLength(measured) > MAX_ENV_BYTES) {
    throw new LambdaError(
      "InvalidParameterValueException",
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
    );
  }
}

/** Resolves FunctionName (+ Qualifier) to the caller's stored function, or ResourceNotFoundException. */
export function loadFunction(ctx: Pick<LambdaContext, "functions" | "region" | "accountId">, functionName: string, qualifier?: string): StoredFunction & { readonly doc: FunctionDoc } {
  const ref = parseFunctionRef(functionName);
  const q = qualifier ?? ref.qualifier;
  const arn = functionArn(ctx.region, ref.accountId ?? ctx.accountId, ref.name) + (q === undefined ? "" : `:${q}`);
  if ((ref.accountId !== undefined && ref.accountId !== ctx.accountId) || (q !== undefined && q !== "$LATEST")) throw functionNotFound(arn);
  const stored = ctx.functions.get(ctx.accountId, ref.name);
  if (stored === undefined) throw functionNotFound(arn);
  return { ...stored, doc: stored.document as unknown as FunctionDoc };
}

/** What the runner needs to run a stored function; the key changes with its code or configuration. */
export function runnableOf(doc: FunctionDoc, codeRoot: string, accountId: string, region: string): RunnableFunction {
  const c = doc.Configuration;
  const name = c.FunctionName!;
  const taskRoot = codeDir(codeRoot, accountId, name, doc.CodeSha256Hex);
  const memoryMb = c.MemorySize ?? DEFAULT_MEMORY_MB;
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
  const env: Record<string, string> = {
    ...(c.Environment?.Variables ?? {}),
    PATH: process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: taskRoot,
    _HANDLER: c.Handler ?? "",
    AWS_EXECUTION_ENV: `AWS_Lambda_${c.Runtime ?? "nodejs20.x"}`,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[$LATEST]${randomBytes(16).toString("hex")}`,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    NODE_ENV: process.env["NODE_ENV"] ?? "production",
  };
  return {
    key: runnerKey(doc, accountId),
    name,
    arn: c.FunctionArn!,
    version: "$LATEST",
    taskRoot,
    handler: c.Handler ?? "index.handler",
    timeoutSeconds: c.Timeout ?? DEFAULT_TIMEOUT_SECONDS,
    memoryMb,
    env,
  };
}

/** The key of the processes running a stored function now (to retire them after a change). */
export function runnerKey(doc: FunctionDoc, accountId: string): string {
  return `${accountId}/${doc.Configuration.FunctionName!}/${doc.CodeSha256Hex}/${doc.Configuration.RevisionId ?? ""}`;
}

/** Removes a package once no stored function uses it any more (a delete or update followed by a re-create). */
export async function removeCodeIfUnused(ctx: Pick<LambdaContext, "functions" | "codeRoot" | "accountId">, name: string, sha256Hex: string): Promise<void> {
  const now = ctx.functions.get(ctx.accountId, name);
  if (now !== undefined && (now.document as unknown as FunctionDoc).CodeSha256Hex === sha256Hex) return;
  await removeCode(ctx.codeRoot, ctx.accountId, name, sha256Hex);
}
