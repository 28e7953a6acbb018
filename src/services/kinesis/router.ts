import { Readable } from "node:stream";
import { encodeEvent, encodeException } from "../../protocols/event-stream/event-stream.js";
import { ArenaLease } from "../../protocols/json/blob-arena.js";
import { readSmallBody, withSmallBody } from "../../protocols/json/read-body.js";
import { ownEntry, targetOperation, unknownOperationMessage } from "../../protocols/json/target.js";
import type { RequestContext, ServiceRequest, ServiceResponse } from "../../server/service.js";
import { CBOR_CONTENT_TYPE, JSON_CONTENT_TYPE, KinesisError, responseHeaders, toKinesisError, wireFormatOf, type WireFormat } from "./errors.js";
import { kinesisOperations } from "./ops/index.js";
import { putRecordsFromBody } from "./put-records-body.js";
import { getRecordsJsonBody } from "./ops/get-records.js";
import type { SubscribeToShardResult } from "./ops/subscribe-to-shard.js";
import { operations as modelOperations } from "./shapes/model.js";
import type { GetRecordsInput, SubscribeToShardEvent } from "./shapes/types.js";
import type { OpContext } from "./operation.js";
import type { KinesisState } from "./state.js";
import { parseBody, serializeOperationOutput, serializeOutput, validateInput } from "./wire.js";

export const TARGET_PREFIX = "Kinesis_20131202";
/** Bodies above this are refused (a 10 MiB record base64-encodes to under 14 MiB). */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

const tooLarge = (): KinesisError => new KinesisError("RequestEntityTooLargeException", `Request body exceeds ${MAX_REQUEST_BYTES} bytes.`);

/**
 * The body parsed as `inputShape`. A JSON body is parsed from a reused buffer: its parse copies
 * every string and decodes blobs into `arenas`. A CBOR body's blobs may be views of the bytes,
 * so it gets a buffer of its own.
 */
async function readInput(req: ServiceRequest, inputShape: string, format: WireFormat, arenas: ArenaLease): Promise<unknown> {
  if (req.wholeBody !== undefined) {
    // A small body the server already read whole (its declared length is within our limit).
    const raw = await req.wholeBody();
    if (raw.length > MAX_REQUEST_BYTES) throw tooLarge();
    return format === "json" ? parseBody(raw, inputShape, format, arenas) : parseBody(raw, inputShape, format);
  }
  if (format === "json") return withSmallBody(req.body, MAX_REQUEST_BYTES, tooLarge, (raw) => parseBody(raw, inputShape, format, arenas));
  return parseBody(await readSmallBody(req.body, MAX_REQUEST_BYTES, tooLarge), inputShape, format);
}

function encodePayload(value: unknown, format: WireFormat): Uint8Array {
  const body = serializeOutput(value, format);
  return typeof body === "string" ? Buffer.from(body, "utf8") : body;
}

/** SubscribeToShard's body: an initial-response event, then one event per push, then the end (or an exception). */
async function* eventFrames(events: AsyncIterable<SubscribeToShardEvent>, format: WireFormat, ctx: RequestContext): AsyncGenerator<Buffer> {
  const contentType = format === "cbor" ? CBOR_CONTENT_TYPE : JSON_CONTENT_TYPE;
  yield Buffer.from(encodeEvent("initial-response", encodePayload({}, format), contentType));
  try {
    for await (const event of events) {
      yield Buffer.from(encodeEvent("SubscribeToShardEvent", encodePayload(event, format), contentType));
    }
  } catch (err) {
    const e = toKinesisError(err, ctx.clock.now());
    if (e.code === "InternalFailure") ctx.logger.error("kinesis: subscription failed", { requestId: ctx.requestId, err: String(err) });
    const code = e.code === "InternalFailure" ? "InternalFailureException" : e.code;
    yield Buffer.from(encodeException(code, encodePayload({ message: e.message }, format), contentType));
  }
}

/** Handles one Kinesis request: target -> operation, body -> validated input, output -> body. */
export async function routeKinesisRequest(state: KinesisState, req: ServiceRequest, ctx: RequestContext): Promise<ServiceResponse> {
  const format = wireFormatOf(req);
  const target = req.headers["x-amz-target"] ?? "";
  const name = targetOperation(target, TARGET_PREFIX);
  const op = ownEntry(kinesisOperations, name);
  const model = ownEntry(modelOperations, name);
  if (req.method !== "POST" || name === undefined || op === undefined || model === undefined) {
    req.body.resume();
    throw new KinesisError("UnknownOperationException", unknownOperationMessage(target));
  }
  const inputShape = model.input ?? "";
  // The input's blobs (PutRecord/PutRecords data) live in leased arenas until the operation is done.
  const arenas = new ArenaLease();
  // The request's AbortSignal is made only if an operation reads it (SubscribeToShard): making
  // one costs ~8-20 µs, and a GetRecords poll or a PutRecord never looks at it.
  const opCtx: OpContext = {
    state,
    get signal() {
      return ctx.signal;
    },
  };
  let output: unknown;
  try {
    // A large PutRecords body held whole for its payload hash is parsed and encoded on a pool thread.
    const offThread = name === "PutRecords" && format === "json" && req.wholeBody === undefined ? putRecordsFromBody(req.body, opCtx) : undefined;
    const input = offThread !== undefined || inputShape === "" ? {} : await readInput(req, inputShape, format, arenas);
    if (offThread === undefined && inputShape !== "") validateInput(input, inputShape);
    if (name === "GetRecords" && format === "json") {
      // Written while it is sent, from a read plan rather than a page of record objects.
      const body = await getRecordsJsonBody(input as GetRecordsInput, opCtx);
      if (Buffer.isBuffer(body)) return { status: 200, headers: responseHeaders(format, ctx), body };
      return { status: 200, headers: { ...responseHeaders(format, ctx), "content-length": String(body.length) }, body: body.body };
    }
    output = offThread !== undefined ? await offThread : await (op as (input: unknown, ctx: OpContext) => Promise<unknown>)(input, opCtx);
  } finally {
    arenas.release();
  }
  if (name === "SubscribeToShard") {
    const { events } = output as SubscribeToShardResult;
    return {
      status: 200,
      headers: { ...responseHeaders(format, ctx), "content-type": "application/vnd.amazon.eventstream" },
      body: Readable.from(eventFrames(events, format, ctx), { objectMode: false }),
    };
  }
  const body = model.output === undefined ? "" : serializeOperationOutput(name, output, format);
  if (typeof body === "string" || Buffer.isBuffer(body)) return { status: 200, headers: responseHeaders(format, ctx), body };
  return { status: 200, headers: { ...responseHeaders(format, ctx), "content-length": String(body.length) }, body: body.body };
}
