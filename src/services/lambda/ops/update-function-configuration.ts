import { compact } from "../../../protocols/json/compact.js";
import { checkEnvironment, checkRuntime, checkTimeout, lambdaTimestamp, loadFunction, newRevisionId, runnerKey, type FunctionDoc, type LambdaContext } from "../functions.js";
import type { FunctionConfiguration, UpdateFunctionConfigurationRequest } from "../shapes/types.js";
import { checkRevision } from "./revision.js";

/** Changes the settings given (handler, timeout, memory, environment, ...); the next invocation starts a fresh process. */
export async function updateFunctionConfiguration(input: UpdateFunctionConfigurationRequest, ctx: LambdaContext): Promise<FunctionConfiguration> {
  const current = loadFunction(ctx, input.FunctionName);
  checkRevision(current.doc, input.RevisionId);
  checkRuntime(input.Runtime);
  checkTimeout(input.Timeout);
  checkEnvironment(input.Environment?.Variables);
  const c = current.doc.Configuration;
  const changes = compact<FunctionConfiguration>({
    Role: input.Role,
    Handler: input.Handler,
    Description: input.Description,
    Timeout: input.Timeout,
    MemorySize: input.MemorySize,
    Runtime: input.Runtime,
    Environment: input.Environment === undefined ? undefined : { Variables: input.Environment.Variables ?? {} },
    TracingConfig: input.TracingConfig?.Mode === undefined ? undefined : { Mode: input.TracingConfig.Mode },
    EphemeralStorage: input.EphemeralStorage,
    DeadLetterConfig: input.DeadLetterConfig,
    KMSKeyArn: input.KMSKeyArn,
  });
  const configuration: FunctionConfiguration = { ...c, ...changes, LastModified: lambdaTimestamp(ctx.clock.now()), RevisionId: newRevisionId(), LastUpdateStatus: "Successful" };
  const doc: FunctionDoc = { ...current.doc, Configuration: configuration };
  ctx.functions.update(ctx.accountId, current.name, doc as unknown as Record<string, unknown>);
  ctx.background(ctx.runner.retire(runnerKey(current.doc, ctx.accountId)));
  return configuration;
}
