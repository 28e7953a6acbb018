import { encodeCbor } from "../../protocols/cbor/cbor.js";
import { KinesisError, type WireFormat } from "./errors.js";
import { shapes } from "./shapes/model.js";

/**
 * Turns a decoded JSON 1.1 or CBOR body into the typed input of an operation, shape by shape:
 * blobs become bytes, timestamps Dates, unknown members are dropped, and a value of the wrong
 * type is a SerializationException worded as the service's (Java) deserializer words it.
 */

function serializationError(message: string): KinesisError {
  return new KinesisError("SerializationException", message);
}

function describeWrongType(value: unknown, target: string, article: "a" | "an"): KinesisError {
  if (Array.isArray(value)) return serializationError("Start of list found where not expected");
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array) && !(value instanceof Date)) {
    return serializationError("Start of structure or map found where not expected.");
  }
  const javaClass =
    typeof value === "boolean" ? "java.lang.Boolean" : typeof value === "number" ? "java.math.BigDecimal" : "java.lang.String";
  return serializationError(`class ${javaClass} can not be converted to ${article} ${target}`);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBase64Blob(text: string): Uint8Array {
  if (text.length % 4 !== 0) {
    throw serializationError(
      `'${text}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`,
    );
  }
  const bad = /[^A-Za-z0-9+/=]|=[^=]/.exec(text);
  if (bad !== null || !BASE64.test(text)) {
    throw serializationError(`'${text}' can not be converted to a Blob: Invalid Base64 character: '${(bad?.[0] ?? "=")[0]}'`);
  }
  const bytes = Buffer.from(text, "base64");
  if (bytes.toString("base64") !== text) {
    throw serializationError(`'${text}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected`);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function coerce(value: unknown, shapeName: string, format: WireFormat): unknown {
  if (value === null || value === undefined) return undefined;
  const shape = shapes[shapeName];
  if (shape === undefined) throw new Error(`unknown shape ${shapeName}`);
  switch (shape.type) {
    case "string":
      if (typeof value !== "string") throw describeWrongType(value, "String", "an");
      return value;
    case "integer":
    case "long":
    case "double":
    case "float": {
      const target = shape.type === "integer" ? "Integer" : shape.type === "long" ? "Long" : "Double";
      if (typeof value !== "number") throw describeWrongType(value, target, "an");
      return shape.type === "integer" || shape.type === "long" ? Math.floor(value) : value;
    }
    case "boolean":
      if (typeof value === "string") throw serializationError(`'${value.toUpperCase()}' can not be converted to an Boolean`);
      if (typeof value !== "boolean") throw describeWrongType(value, "Boolean", "an");
      return value;
    case "blob":
      if (value instanceof Uint8Array) return value;
      if (typeof value !== "string") throw describeWrongType(value, "Blob", "a");
      return decodeBase64Blob(value);
    case "timestamp": {
      if (value instanceof Date) return value;
      // JSON 1.1 sends epoch seconds (fractions allowed); strings are tolerated as ISO 8601 or seconds.
      if (typeof value === "number") return new Date(Math.round(value * 1000));
      if (typeof value === "string") {
        const n = Number(value);
        const ms = Number.isFinite(n) && value.trim() !== "" ? n * 1000 : Date.parse(value);
        if (!Number.isNaN(ms)) return new Date(Math.round(ms));
      }
      throw describeWrongType(value, "Date", "a");
    }
    case "list":
      if (!Array.isArray(value)) {
        if (typeof value === "object" && !(value instanceof Uint8Array)) throw serializationError("Start of structure or map found where not expected.");
        throw serializationError("Expected list or null");
      }
      return value.map((v) => coerce(v, shape.member, format));
    case "map": {
      if (Array.isArray(value)) throw serializationError("Start of list found where not expected");
      if (typeof value !== "object" || value instanceof Uint8Array) throw serializationError("Expected map or null");
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const c = coerce(v, shape.value, format);
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    case "structure": {
      if (Array.isArray(value)) throw serializationError("Start of list found where not expected");
      if (typeof value !== "object" || value instanceof Uint8Array || value instanceof Date) throw serializationError("Expected null");
      const src = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [member, memberShape] of Object.entries(shape.members)) {
        const c = coerce(src[member], memberShape, format);
        if (c !== undefined) out[member] = c;
      }
      return out;
    }
  }
}

/** Parses a decoded body (already JSON.parse'd or CBOR-decoded) as the given input shape. */
export function parseInput(body: unknown, inputShape: string, format: WireFormat): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new KinesisError("SerializationException", "Start of list found where not expected");
  return coerce(body, inputShape, format) ?? {};
}

function toJsonValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  // JSON 1.1 timestamps are epoch seconds with millisecond fractions; blobs are base64.
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  if (Array.isArray(value)) return value.map(toJsonValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonValue(v);
  return out;
}

/** Serializes an operation's output in the request's wire format. */
export function serializeOutput(output: unknown, format: WireFormat): string | Buffer {
  return format === "cbor" ? encodeCbor(output ?? {}) : JSON.stringify(toJsonValue(output ?? {}));
}

/** The JSON-ready form of a value (timestamps as epoch seconds, blobs as base64), for event payloads. */
export function jsonValue(value: unknown): unknown {
  return toJsonValue(value);
}
