import { loadFunction, type LambdaContext } from "../functions.js";
import type { GetFunctionRequest, GetFunctionResponse } from "../shapes/types.js";

/**
 * The function's configuration and tags. Code.Location (Lambda's presigned download URL) is left
 * out: this server does not serve packages back.
 */
export async function getFunction(input: GetFunctionRequest, ctx: LambdaContext): Promise<GetFunctionResponse> {
  const { doc } = loadFunction(ctx, input.FunctionName, input.Qualifier);
  return { Configuration: doc.Configuration, Code: { RepositoryType: "S3" }, Tags: { ...doc.Tags } };
}
