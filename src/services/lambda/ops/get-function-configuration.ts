import { loadFunction, type LambdaContext } from "../functions.js";
import type { FunctionConfiguration, GetFunctionConfigurationRequest } from "../shapes/types.js";

export async function getFunctionConfiguration(input: GetFunctionConfigurationRequest, ctx: LambdaContext): Promise<FunctionConfiguration> {
  return loadFunction(ctx, input.FunctionName, input.Qualifier).doc.Configuration;
}
