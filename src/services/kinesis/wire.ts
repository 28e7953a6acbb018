import { decodeCbor, encodeCbor } from "../../protocols/cbor/cbor.js";
import type { BlobArenas } from "../../protocols/json/blob-arena.js";
import { parseJsonInputFast } from "../../protocols/json/parse-json-fast.js";
import { parseShape, type ParseOptions } from "../../protocols/json/parse-shape.js";
import { toJsonValue } from "../../protocols/json/serialize.js";
import { decodeJsonBody } from "../../protocols/json/target.js";
import { findViolations as findShapeViolations, validationMessage } from "../../protocols/json/validate-shape.js";
import { KinesisError, type WireFormat } from "./errors.js";
import { getRecordsJson, type StreamedJson } from "./json-output.js";
import { renderedPutRecordsAnswer } from "./put-records-answer.js";
import { shapes } from "./shapes/model.js";
import type { PutRecordsOutput } from "./shapes/types.js";

/**
 * Kinesis's bindings of the shared JSON protocol code: its shapes, its SerializationException and
 * ValidationException, and CBOR beside JSON 1.1. Parsing, validation and the JSON form of outputs
 * are src/protocols/json's.
 */

/** Kinesis's deserializer differs from the other JSON services' in three small ways (as kinesalite records them). */
const parseOptions: ParseOptions = {
  shapes,
  error: (message) => new KinesisError("SerializationException", message),
  quoteWholeBlob: true,
  strictBase64: true,
  floorIntegers: true,
};

/** A request body -> the decoded value (an empty body is `{}`), or a SerializationException. */
export function decodeBody(body: Buffer, format: WireFormat): unknown {
  if (format === "json") return decodeJsonBody(body, parseOptions.error);
  if (body.length === 0) return {};
  try {
    return decodeCbor(body);
  } catch {
    throw new KinesisError("SerializationException", "Unable to parse the CBOR request body.");
  }
}

/** Parses a decoded body (JSON.parse'd or CBOR-decoded: both give the same shapes) as the given input shape. */
export function parseInput(body: unknown, inputShape: string): unknown {
  return parseShape(body, inputShape, parseOptions);
}

/**
 * A request body -> the typed input of `inputShape`. Plain JSON is read straight from the bytes;
 * anything the fast reader does not take (and CBOR) is decoded and parsed by the general path,
 * which gives the exact SerializationException for a bad body. Blobs the fast reader decodes go
 * into `arenas` when given.
 */
export function parseBody(body: Buffer, inputShape: string, format: WireFormat, arenas?: BlobArenas): unknown {
  if (format === "json") {
    const fast = parseJsonInputFast(body, inputShape, parseOptions, arenas);
    if (fast !== undefined) return fast;
  }
  return parseInput(decodeBody(body, format), inputShape);
}

/** Returns the violations of `input` against `shapeName`, in the service's wording. */
export function findViolations(input: unknown, shapeName: string): string[] {
  return findShapeViolations(input, shapeName, shapes);
}

/** Throws a ValidationException listing every violation (up to 10), or returns quietly. */
export function validateInput(input: unknown, shapeName: string): void {
  const message = validationMessage(findViolations(input, shapeName));
  if (message !== undefined) throw new KinesisError("ValidationException", message);
}

const DIGITS = /^\d+$/;
let lastShardId = "";
let lastShardIdJson = '""';

/**
 * PutRecords' answer as JSON.stringify writes it for the objects putRecords builds (members in
 * the order it sets them), with each accepted record's entry written from a template: its
 * sequence number is digits and its shard id is quoted once per run of equal ids.
 */
export function putRecordsAnswer(out: PutRecordsOutput): string {
  let text = `{"FailedRecordCount":${JSON.stringify(out.FailedRecordCount)},"Records":[`;
  const records = out.Records;
  for (let i = 0; i < records.length; i++) {
    const e = records[i]!;
    if (i > 0) text += ",";
    const seq = e.SequenceNumber;
    const shardId = e.ShardId;
    if (seq !== undefined && shardId !== undefined && e.ErrorCode === undefined && e.ErrorMessage === undefined && DIGITS.test(seq)) {
      if (shardId !== lastShardId) {
        lastShardId = shardId;
        lastShardIdJson = JSON.stringify(shardId);
      }
      text += `{"SequenceNumber":"${seq}","ShardId":${lastShardIdJson}}`;
    } else text += JSON.stringify(e);
  }
  text += "]";
  if (out.EncryptionType !== undefined) text += `,"EncryptionType":${JSON.stringify(out.EncryptionType)}`;
  return `${text}}`;
}

/** JSON writers for the data-plane answers: the same bytes as the general serializer, without its copies. */
const jsonWriters: Readonly<Record<string, ((output: never) => string | Buffer | StreamedJson) | undefined>> = {
  PutRecords: (out: PutRecordsOutput) => renderedPutRecordsAnswer(out) ?? putRecordsAnswer(out),
  GetRecords: getRecordsJson,
};

/** Serializes an operation's output in the request's wire format (big GetRecords pages as a stream of known length). */
export function serializeOperationOutput(operation: string, output: unknown, format: WireFormat): string | Buffer | StreamedJson {
  const writer = format === "json" && Object.hasOwn(jsonWriters, operation) ? jsonWriters[operation] : undefined;
  return writer !== undefined && output !== undefined ? writer(output as never) : serializeOutput(output, format);
}

/** Serializes a value (an operation's output, an event's payload) in the request's wire format. */
export function serializeOutput(output: unknown, format: WireFormat): string | Buffer {
  return format === "cbor" ? encodeCbor(output ?? {}) : JSON.stringify(toJsonValue(output ?? {}));
}
