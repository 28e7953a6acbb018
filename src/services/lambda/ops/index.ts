import type { LambdaContext } from "../functions.js";
import { createFunction } from "./create-function.js";
import { deleteFunction } from "./delete-function.js";
import { getFunctionConfiguration } from "./get-function-configuration.js";
import { getFunction } from "./get-function.js";
import { invoke } from "./invoke.js";
import { listFunctions } from "./list-functions.js";
import { updateFunctionCode } from "./update-function-code.js";
import { updateFunctionConfiguration } from "./update-function-configuration.js";

/** An operation: typed input (already validated against the model) -> typed output. */
export type LambdaOperation = (input: never, ctx: LambdaContext) => Promise<object>;

/** Every implemented Lambda operation by its model name. */
export const lambdaOperations: Readonly<Record<string, LambdaOperation>> = {
  CreateFunction: createFunction,
  DeleteFunction: deleteFunction,
  GetFunction: getFunction,
  GetFunctionConfiguration: getFunctionConfiguration,
  Invoke: invoke,
  ListFunctions: listFunctions,
  UpdateFunctionCode: updateFunctionCode,
  UpdateFunctionConfiguration: updateFunctionConfiguration,
};
