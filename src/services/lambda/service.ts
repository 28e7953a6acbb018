import { join } from "node:path";
import type { Service, ServiceDeps } from "../../server/service.js";
import type { FunctionStore } from "../../storage/lambda-functions/function-store.js";
import { createSqliteFunctionStore } from "../../storage/lambda-functions/sqlite-function-store.js";
import { codeDir, sweepCode } from "./code-package.js";
import type { LambdaCodeSource } from "./code-source.js";
import { LambdaError, renderLambdaError } from "./errors.js";
import type { FunctionDoc, LambdaContext } from "./functions.js";
import { LambdaInternalError, type LambdaInternalApi } from "./internal-api.js";
import { eventText, MAX_SYNC_PAYLOAD_BYTES, runFunction } from "./ops/invoke.js";
import { internalRequestId, routeLambdaRequest, type LambdaServiceState } from "./router.js";
import { FunctionRunner } from "./runner/function-runner.js";

/** Settings and collaborators of the Lambda service. */
export interface LambdaServiceOptions {
  /** Reads function code given as Code.S3Bucket/S3Key (the S3 service's internal API). */
  readonly codeSource?: LambdaCodeSource;
  /** Most runtime processes alive at once (default 8). */
  readonly maxProcesses?: number;
  /** Warm processes unused this long end (default 5 minutes). */
  readonly idleTimeoutMs?: number;
  /** How long an invocation waits for a free process before TooManyRequestsException (default 30 s). */
  readonly queueTimeoutMs?: number;
  /** Another function store (default: SQLite at <data-dir>/meta/lambda.db). */
  readonly functions?: FunctionStore;
}

/**
 * A Lambda-compatible function runner on the shared listener (REST-JSON, signing name
 * "lambda"): Node.js functions from .zip packages, run in a pool of child processes with their
 * timeout and memory. Also returns the internal API other services invoke functions with.
 */
export function createLambdaService(deps: ServiceDeps, options: LambdaServiceOptions = {}): Service & { readonly api: LambdaInternalApi } {
  const { config, logger, clock } = deps;
  const functions = options.functions ?? createSqliteFunctionStore(join(config.dataDir, "meta", "lambda.db"));
  const codeRoot = join(config.dataDir, "lambda");
  const runner = new FunctionRunner({
    maxProcesses: options.maxProcesses ?? 8,
    idleTimeoutMs: options.idleTimeoutMs ?? 5 * 60_000,
    queueTimeoutMs: options.queueTimeoutMs ?? 30_000,
    logger,
  });
  const pending = new Set<Promise<unknown>>();
  const background = (work: Promise<unknown>): void => {
    const tracked = work.catch((err: unknown) => logger.warn("lambda: background work failed", { err: String(err) })).finally(() => pending.delete(tracked));
    pending.add(tracked);
  };
  const state: LambdaServiceState = { functions, runner, codeRoot, codeSource: options.codeSource, region: config.region, background };

  const api: LambdaInternalApi = {
    async invoke(accountId, functionNameOrArn, payload) {
      if (payload.byteLength > MAX_SYNC_PAYLOAD_BYTES) throw new LambdaInternalError("RequestTooLargeException", `Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the InvokeFunction operation`);
      const ctx: LambdaContext = { ...state, accountId, requestId: internalRequestId(), clock, logger };
      try {
        const result = await runFunction(ctx, functionNameOrArn, undefined, eventText(payload));
        return { statusCode: 200, payload: result.payload, functionError: result.functionError };
      } catch (err) {
        if (err instanceof LambdaError) throw new LambdaInternalError(err.code, err.message);
        throw err;
      }
    },
  };

  return {
    name: "lambda",
    signingNames: ["lambda"],
    targetPrefixes: [],
    allowsAnonymous: false,
    api,
    handle: (req, ctx) => routeLambdaRequest(state, req, ctx),
    renderError: (err, req, ctx) => renderLambdaError(err, req, ctx),
    async start() {
      // Packages no function uses any more (a crash between an update and its clean-up) are removed.
      const inUse = new Set(functions.all().map((f) => codeDir(codeRoot, f.accountId, f.name, (f.document as unknown as FunctionDoc).CodeSha256Hex)));
      const removed = await sweepCode(codeRoot, inUse);
      if (removed > 0) logger.info("lambda: removed unused code packages", { removed });
    },
    async stop() {
      await runner.close();
      await Promise.allSettled([...pending]);
      functions.close();
    },
  };
}
