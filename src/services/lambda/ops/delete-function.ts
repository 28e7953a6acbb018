import { LambdaError } from "../errors.js";
import { loadFunction, removeCodeIfUnused, runnerKey, type LambdaContext } from "../functions.js";
import type { DeleteFunctionRequest, DeleteFunctionResponse } from "../shapes/types.js";

/** Deletes a function: its record now, its processes and package once they have finished. */
export async function deleteFunction(input: DeleteFunctionRequest, ctx: LambdaContext): Promise<DeleteFunctionResponse> {
  if (input.Qualifier === "$LATEST") throw new LambdaError("InvalidParameterValueException", "$LATEST version cannot be deleted without deleting the function.");
  const current = loadFunction(ctx, input.FunctionName, input.Qualifier);
  ctx.functions.delete(ctx.accountId, current.name);
  ctx.background(ctx.runner.retire(runnerKey(current.doc, ctx.accountId)).then(() => removeCodeIfUnused(ctx, current.name, current.doc.CodeSha256Hex)));
  return { StatusCode: 204 };
}
