import { parseShape } from "../../protocols/json/parse-shape.js";
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

async function readBody(req: ServiceRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > MAX_REQUEST_BYTES) {
      req.body.destroy();
      throw new FirehoseError("InvalidArgumentException", `Request body exceeds ${MAX_REQUEST_BYTES} bytes.`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function toJsonValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  // JSON 1.1: timestamps are epoch seconds, blobs base64.
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  if (Array.isArray(value)) return value.map(toJsonValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonValue(v);
  return out;
}

const serializationError = (message: string): FirehoseError => new FirehoseError("SerializationException", message);

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
  const body = decodeJsonBody(await readBody(req), serializationError);
  const input = model.input === undefined ? {} : parseShape(body, model.input, { shapes, error: serializationError });
  if (model.input !== undefined) {
    let violations = findViolations(input, model.input, shapes);
    // A server setting lets local http:// endpoints through the service's https-only pattern.
    if (state.options.allowHttpEndpoints) violations = violations.filter((v) => !/^Value 'http:\/\/[^']*' at '[^']*endpointConfiguration\.url'/.test(v));
    const message = validationMessage(violations);
    if (message !== undefined) throw new FirehoseError("ValidationException", message);
  }
  const output = await op(input as never, { state, accountId: ctx.principal.accountId });
  return { status: 200, headers: responseHeaders(ctx), body: JSON.stringify(toJsonValue(output ?? {})) };
}
