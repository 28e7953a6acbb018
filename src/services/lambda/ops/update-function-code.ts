import { lambdaTimestamp, loadFunction, removeCodeIfUnused, newRevisionId, runnerKey, type FunctionDoc, type LambdaContext } from "../functions.js";
import type { FunctionConfiguration, UpdateFunctionCodeRequest } from "../shapes/types.js";
import { obtainCode } from "./function-code.js";
import { checkRevision } from "./revision.js";

/**
 * Replaces a function's package. Warm processes of the old code are retired (busy ones finish
 * first) and the old package is removed once none is left.
 */
export async function updateFunctionCode(input: UpdateFunctionCodeRequest, ctx: LambdaContext): Promise<FunctionConfiguration> {
  const current = loadFunction(ctx, input.FunctionName);
  checkRevision(current.doc, input.RevisionId);
  const name = current.name;
  const code = await obtainCode(ctx, name, input);
  const after = loadFunction(ctx, name); // re-read: another update may have landed while unpacking
  checkRevision(after.doc, input.RevisionId ?? current.doc.Configuration.RevisionId);
  const configuration: FunctionConfiguration = {
    ...after.doc.Configuration,
    CodeSize: code.size,
    CodeSha256: code.sha256,
    LastModified: lambdaTimestamp(ctx.clock.now()),
    RevisionId: newRevisionId(),
    LastUpdateStatus: "Successful",
  };
  if (input.DryRun === true) return { ...configuration, RevisionId: after.doc.Configuration.RevisionId! };
  const doc: FunctionDoc = { ...after.doc, Configuration: configuration, CodeSha256Hex: code.sha256Hex };
  ctx.functions.update(ctx.accountId, name, doc as unknown as Record<string, unknown>);
  const oldHex = after.doc.CodeSha256Hex;
  const retiring = ctx.runner.retire(runnerKey(after.doc, ctx.accountId));
  if (oldHex !== code.sha256Hex) ctx.background(retiring.then(() => removeCodeIfUnused(ctx, name, oldHex)));
  else ctx.background(retiring);
  return configuration;
}
