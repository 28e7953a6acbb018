import { ArenaLease } from "../../protocols/json/blob-arena.js";
import { parseJsonInputFast } from "../../protocols/json/parse-json-fast.js";
import { parseShape } from "../../protocols/json/parse-shape.js";
import { withSmallBody } from "../../protocols/json/read-body.js";
import { toJsonBody } from "../../protocols/json/serialize.js";
import { decodeJsonBody, ownEntry, targetOperation, unknownOperationMessage } from "../../protocols/json/target.js";
import { findViolations, validationMessage } from "../../protocols/json/validate-shape.js";
import type { RequestContext, ServiceRequest, ServiceResponse } from "../../server/service.js";
import { FirehoseError, responseHeaders } from "./errors.js";
import { firehoseOperations } from "./ops/index.js";
import { operations, shapes } from "./shapes/model.js";
import type { FirehoseState } from "./state.js";

export const TARGET_PREFIX = "Firehose_20150804";
/** A PutRecordBatch of 4 MiB base64-encodes to under 6 MiB; anything far larger is refused unread. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

const serializationError = (message: string): FirehoseError => new FirehoseError("SerializationException", message);
const tooLarge = (): FirehoseError => new FirehoseError("InvalidArgumentException", `Request body exceeds ${MAX_REQUEST_BYTES} bytes.`);

/** Handles one Firehose request: target -> operation, body -> validated input, output -> JSON. */
export async function routeFirehoseRequest(state: FirehoseState, req: ServiceRequest, ctx: RequestContext): Promise<ServiceResponse> {
  const target = req.headers["x-amz-target"] ?? "";
  const name = targetOperation(target, TARGET_PREFIX);
  const op = ownEntry(firehoseOperations, name);
  const model = ownEntry(operations, name);
  if (req.method !== "POST" || op === undefined || model === undefined) {
    req.body.resume();
    throw new FirehoseError("UnknownOperationException", unknownOperationMessage(target));
  }
  // Blobs (record data) are decoded into pooled arenas, given back once the operation is done:
  // the spool copies records into its own frames when they are appended.
  const arenas = new ArenaLease();
  try {
    const input = await withSmallBody(req.body, MAX_REQUEST_BYTES, tooLarge, (raw) => parseInput(raw, model.input, arenas));
    if (model.input !== undefined) {
      let violations = findViolations(input, model.input, shapes);
      // A server setting lets local http:// endpoints through the service's https-only pattern.
      if (state.options.allowHttpEndpoints) violations = violations.filter((v) => !/^Value 'http:\/\/[^']*' at '[^']*endpointConfiguration\.url'/.test(v));
      const message = validationMessage(violations);
      if (message !== undefined) throw new FirehoseError("ValidationException", message);
    }
    const output = await op(input as never, { state, accountId: ctx.principal.accountId });
    return { status: 200, headers: responseHeaders(ctx), body: toJsonBody(output) };
  } finally {
    arenas.release();
  }
}

/**
 * The operation's input from the body's bytes (valid only during the call: a buffer the next
 * request reuses): the shape-directed reader, which decodes blobs into `arenas` without making
 * the body a string and a JSON tree first (a 500-record PutRecordBatch is ~700 KB of base64), or,
 * for anything it does not take, JSON.parse + parseShape, which give the exact result or error.
 */
function parseInput(raw: Buffer, inputShape: string | undefined, arenas: ArenaLease): Record<string, unknown> {
  if (inputShape === undefined) {
    decodeJsonBody(raw, serializationError);
    return {};
  }
  return parseJsonInputFast(raw, inputShape, { shapes }, arenas) ?? parseShape(decodeJsonBody(raw, serializationError), inputShape, { shapes, error: serializationError });
}
