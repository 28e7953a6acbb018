import { FunctionConflictError } from "../../../storage/lambda-functions/function-store.js";
import { compact } from "../../../protocols/json/compact.js";
import { LambdaError } from "../errors.js";
import {
  checkEnvironment,
  checkRuntime,
  checkTimeout,
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT_SECONDS,
  lambdaTimestamp,
  newRevisionId,
  type FunctionDoc,
  type LambdaContext,
} from "../functions.js";
import { functionArn, parseFunctionRef } from "../names.js";
import type { CreateFunctionRequest, FunctionConfiguration } from "../shapes/types.js";
import { obtainCode } from "./function-code.js";

export async function createFunction(input: CreateFunctionRequest, ctx: LambdaContext): Promise<FunctionConfiguration> {
  if (input.PackageType === "Image") throw new LambdaError("InvalidParameterValueException", "PackageType Image is not supported by this server; use Zip.");
  if (input.Runtime === undefined || input.Handler === undefined) {
    throw new LambdaError("InvalidParameterValueException", "Runtime and Handler are mandatory parameters for functions created with deployment packages.");
  }
  checkRuntime(input.Runtime);
  checkTimeout(input.Timeout);
  checkEnvironment(input.Environment?.Variables);
  const ref = parseFunctionRef(input.FunctionName);
  const name = ref.name;
  if (ctx.functions.get(ctx.accountId, name) !== undefined) throw new LambdaError("ResourceConflictException", `Function already exist: ${name}`);
  const code = await obtainCode(ctx, name, input.Code);
  const configuration = compact<FunctionConfiguration>({
    FunctionName: name,
    FunctionArn: functionArn(ctx.region, ctx.accountId, name),
    Runtime: input.Runtime,
    Role: input.Role,
    Handler: input.Handler,
    CodeSize: code.size,
    Description: input.Description ?? "",
    Timeout: input.Timeout ?? DEFAULT_TIMEOUT_SECONDS,
    MemorySize: input.MemorySize ?? DEFAULT_MEMORY_MB,
    LastModified: lambdaTimestamp(ctx.clock.now()),
    CodeSha256: code.sha256,
    Version: "$LATEST",
    Environment: input.Environment?.Variables === undefined ? undefined : { Variables: input.Environment.Variables },
    DeadLetterConfig: input.DeadLetterConfig,
    KMSKeyArn: input.KMSKeyArn,
    TracingConfig: { Mode: input.TracingConfig?.Mode ?? "PassThrough" },
    RevisionId: newRevisionId(),
    // The package is unpacked before we answer, so the function is Active at once (Lambda passes through Pending).
    State: "Active",
    LastUpdateStatus: "Successful",
    PackageType: "Zip",
    Architectures: input.Architectures ?? ["x86_64"],
    EphemeralStorage: input.EphemeralStorage ?? { Size: 512 },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    LoggingConfig: { LogFormat: input.LoggingConfig?.LogFormat ?? "Text", LogGroup: input.LoggingConfig?.LogGroup ?? `/aws/lambda/${name}` },
  });
  const doc: FunctionDoc = { Configuration: configuration, Tags: input.Tags ?? {}, CodeSha256Hex: code.sha256Hex };
  try {
    ctx.functions.create({ accountId: ctx.accountId, name, document: doc as unknown as Record<string, unknown> });
  } catch (err) {
    if (err instanceof FunctionConflictError) throw new LambdaError("ResourceConflictException", `Function already exist: ${name}`);
    throw err;
  }
  return configuration;
}
