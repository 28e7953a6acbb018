import { randomUUID } from "node:crypto";
import { readSmallBody } from "../../protocols/json/read-body.js";
import { compileRoutes, matchRoute, parseRestInput, serializeRestOutput } from "../../protocols/json/rest-json.js";
import { findViolations, validationMessage } from "../../protocols/json/validate-shape.js";
import type { RequestContext, ServiceRequest, ServiceResponse } from "../../server/service.js";
import { LambdaError } from "./errors.js";
import type { LambdaContext } from "./functions.js";
import { lambdaOperations } from "./ops/index.js";
import { operations as modelOperations, shapes } from "./shapes/model.js";

const routes = compileRoutes(Object.fromEntries(Object.entries(modelOperations).filter(([name]) => lambdaOperations[name] !== undefined)));

/** Request size limits (Lambda quotas page): a 50 MB .zip base64-encodes to under 69,905,067 bytes; Invoke's payload is 6 MB. */
const BODY_LIMITS: Readonly<Record<string, { readonly bytes: number; readonly error: () => LambdaError }>> = {
  CreateFunction: { bytes: 69_905_067, error: () => new LambdaError("RequestEntityTooLargeException", "Request must be smaller than 69905067 bytes for the CreateFunction operation") },
  UpdateFunctionCode: { bytes: 69_905_067, error: () => new LambdaError("RequestEntityTooLargeException", "Request must be smaller than 69905067 bytes for the UpdateFunctionCode operation") },
  Invoke: { bytes: 6_291_456, error: () => new LambdaError("RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation") },
};
const DEFAULT_LIMIT = { bytes: 1_048_576, error: () => new LambdaError("RequestEntityTooLargeException", "Request must be smaller than 1048576 bytes") };

const parseOptions = { shapes, error: (m: string) => new LambdaError("InvalidRequestContentException", `Could not parse request body into json: ${m}`) };

/** What the router needs from the service besides the request. */
export type LambdaServiceState = Omit<LambdaContext, "accountId" | "requestId" | "clock" | "logger">;

/** Handles one Lambda request: method + path -> operation, bindings + body -> validated input, output -> response. */
export async function routeLambdaRequest(state: LambdaServiceState, req: ServiceRequest, ctx: RequestContext): Promise<ServiceResponse> {
  const match = matchRoute(routes, req.method, req.rawPath);
  if (match === undefined) {
    req.body.resume();
    throw new LambdaError("ResourceNotFoundException", "The resource you requested does not exist.");
  }
  const name = match.route.operation;
  const model = modelOperations[name]!;
  const op = lambdaOperations[name]!;
  const limit = BODY_LIMITS[name] ?? DEFAULT_LIMIT;
  const body = await readSmallBody(req.body, limit.bytes, limit.error);
  const inputShape = model.input!;
  const input = parseRestInput(inputShape, { labels: match.labels, rawQuery: req.rawQuery, headers: req.headers, body }, parseOptions);
  const problem = validationMessage(findViolations(input, inputShape, shapes));
  if (problem !== undefined) throw new LambdaError("ValidationException", problem);
  // Lambda's request ids are UUIDs; an invocation's id is the one its logs and context carry.
  const requestId = randomUUID();
  const lambdaCtx: LambdaContext = { ...state, accountId: ctx.principal.accountId, requestId, clock: ctx.clock, logger: ctx.logger };
  const output = (await op(input as never, lambdaCtx)) as Record<string, unknown>;
  const wire = serializeRestOutput(model.output, output, model.http?.responseCode ?? 200, shapes);
  return {
    status: wire.status,
    headers: { "content-type": "application/json", "x-amzn-requestid": requestId, ...wire.headers },
    body: wire.status === 204 ? "" : wire.body,
  };
}

/** A request id for work that does not come from an HTTP request (internal invocations). */
export function internalRequestId(): string {
  return randomUUID();
}
