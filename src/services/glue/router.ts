import { parseShape } from "../../protocols/json/parse-shape.js";
import { readSmallBody } from "../../protocols/json/read-body.js";
import { toJsonBody } from "../../protocols/json/serialize.js";
import { decodeJsonBody, ownEntry, targetOperation, unknownOperationMessage } from "../../protocols/json/target.js";
import { findViolations, validationMessage } from "../../protocols/json/validate-shape.js";
import type { RequestContext, ServiceRequest, ServiceResponse } from "../../server/service.js";
import type { CatalogStore } from "../../storage/catalog/catalog-store.js";
import type { GlueContext } from "./catalog.js";
import { GlueError, JSON_CONTENT_TYPE } from "./errors.js";
import { glueOperations } from "./ops/index.js";
import { operations as modelOperations, shapes } from "./shapes/model.js";

export const TARGET_PREFIX = "AWSGlue";
/** Glue's request size limit is far above any catalog call; this bounds memory. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

const parseOptions = { shapes, error: (m: string) => new GlueError("SerializationException", m) };

/** Handles one Glue request: target -> operation, body -> validated input, output -> JSON body. */
export async function routeGlueRequest(store: CatalogStore, req: ServiceRequest, ctx: RequestContext): Promise<ServiceResponse> {
  const target = req.headers["x-amz-target"] ?? "";
  const name = targetOperation(target, TARGET_PREFIX);
  const op = ownEntry(glueOperations, name);
  const model = ownEntry(modelOperations, name);
  if (req.method !== "POST" || op === undefined || model?.input === undefined) {
    req.body.resume();
    throw new GlueError("UnknownOperationException", unknownOperationMessage(target));
  }
  const raw = await readSmallBody(req.body, MAX_REQUEST_BYTES, () => new GlueError("SerializationException", "Request body too large."));
  const decoded = decodeJsonBody(raw, parseOptions.error);
  const input = parseShape(decoded, model.input, parseOptions);
  const problem = validationMessage(findViolations(input, model.input, shapes));
  if (problem !== undefined) throw new GlueError("ValidationException", problem);
  const glueCtx: GlueContext = { store, clock: ctx.clock, accountId: ctx.principal.accountId, principalArn: ctx.principal.arn };
  const output = await op(input as never, glueCtx);
  return {
    status: 200,
    headers: { "content-type": JSON_CONTENT_TYPE, "x-amzn-requestid": ctx.requestId },
    body: toJsonBody(output),
  };
}
