import type { ShapeTable } from "./shape-def.js";

/**
 * Turns a decoded JSON (or CBOR) body into the typed input of an operation, shape by shape: blobs
 * become bytes, timestamps Dates, unknown members are dropped, and a value of the wrong type is an
 * error worded as the services' (Java) deserializers word it. Shared by the JSON 1.1, CBOR and
 * REST-JSON services; each passes its shapes, how to build its own SerializationException, and
 * the few quirks in which its deserializer differs.
 */
export interface ParseOptions {
  readonly shapes: ShapeTable;
  /** The service's error for a body that does not fit the shape (its SerializationException). */
  readonly error: (message: string) => Error;
  /** Quote a bad base64 blob whole in the error, not just its first 64 characters (Kinesis, as kinesalite records it). */
  readonly quoteWholeBlob?: boolean;
  /** Also refuse base64 whose last character carries stray bits: "Invalid last non-pad Base64 character dectected" (Kinesis). */
  readonly strictBase64?: boolean;
  /** Round fractional numbers given for integer members down rather than toward zero (Kinesis, as kinesalite does). */
  readonly floorIntegers?: boolean;
}

function describeWrongType(value: unknown, target: string, article: "a" | "an", o: ParseOptions): Error {
  if (Array.isArray(value)) return o.error("Start of list found where not expected");
  if (isPlainObject(value)) return o.error("Start of structure or map found where not expected.");
  const javaClass = typeof value === "boolean" ? "java.lang.Boolean" : typeof value === "number" ? "java.math.BigDecimal" : "java.lang.String";
  return o.error(`class ${javaClass} can not be converted to ${article} ${target}`);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes a base64 blob member strictly, as the services' deserializers do. */
export function decodeBase64Blob(text: string, o: Pick<ParseOptions, "error" | "quoteWholeBlob" | "strictBase64">): Uint8Array {
  const quoted = o.quoteWholeBlob === true ? text : text.slice(0, 64);
  if (text.length % 4 !== 0) {
    throw o.error(`'${quoted}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`);
  }
  const bad = /[^A-Za-z0-9+/=]|=[^=]/.exec(text);
  if (bad !== null || !BASE64.test(text)) {
    throw o.error(`'${quoted}' can not be converted to a Blob: Invalid Base64 character: '${(bad?.[0] ?? "=")[0]}'`);
  }
  const bytes = Buffer.from(text, "base64");
  if (o.strictBase64 === true && bytes.toString("base64") !== text) {
    throw o.error(`'${quoted}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected`);
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Any object that is not bytes or a Date (CBOR decodes those natively; JSON never yields them). */
function isPlainObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !(value instanceof Uint8Array) && !(value instanceof Date);
}

function coerce(value: unknown, shapeName: string, o: ParseOptions): unknown {
  if (value === null || value === undefined) return undefined;
  const shape = o.shapes[shapeName];
  if (shape === undefined) throw new Error(`unknown shape ${shapeName}`);
  switch (shape.type) {
    case "document":
      return value;
    case "string":
      if (typeof value !== "string") throw describeWrongType(value, "String", "an", o);
      return value;
    case "integer":
    case "long":
    case "double":
    case "float": {
      const target = shape.type === "integer" ? "Integer" : shape.type === "long" ? "Long" : "Double";
      if (typeof value !== "number") throw describeWrongType(value, target, "an", o);
      if (shape.type === "double" || shape.type === "float") return value;
      return o.floorIntegers === true ? Math.floor(value) : Math.trunc(value);
    }
    case "boolean":
      if (typeof value === "string") throw o.error(`'${value.toUpperCase()}' can not be converted to an Boolean`);
      if (typeof value !== "boolean") throw describeWrongType(value, "Boolean", "an", o);
      return value;
    case "blob":
      if (value instanceof Uint8Array) return value;
      if (typeof value !== "string") throw describeWrongType(value, "Blob", "a", o);
      return decodeBase64Blob(value, o);
    case "timestamp": {
      if (value instanceof Date) return value;
      // JSON protocols send epoch seconds (fractions allowed); strings are tolerated as ISO 8601 or seconds.
      if (typeof value === "number") return new Date(Math.round(value * 1000));
      if (typeof value === "string") {
        const n = Number(value);
        const ms = Number.isFinite(n) && value.trim() !== "" ? n * 1000 : Date.parse(value);
        if (!Number.isNaN(ms)) return new Date(Math.round(ms));
      }
      throw describeWrongType(value, "Date", "a", o);
    }
    case "list":
      if (!Array.isArray(value)) {
        if (typeof value === "object" && !(value instanceof Uint8Array)) throw o.error("Start of structure or map found where not expected.");
        throw o.error("Expected list or null");
      }
      return value.map((v) => coerce(v, shape.member, o));
    case "map": {
      if (Array.isArray(value)) throw o.error("Start of list found where not expected");
      if (typeof value !== "object" || value instanceof Uint8Array) throw o.error("Expected map or null");
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const c = coerce(v, shape.value, o);
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    case "structure": {
      if (Array.isArray(value)) throw o.error("Start of list found where not expected");
      if (!isPlainObject(value)) throw o.error("Expected null");
      const src = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [member, memberShape] of Object.entries(shape.members)) {
        if (shape.bindings?.[member] !== undefined) continue; // REST: bound elsewhere, never read from the body
        const c = coerce(src[member], memberShape, o);
        if (c !== undefined) out[member] = c;
      }
      return out;
    }
  }
}

/** Parses a decoded body (already JSON.parse'd or CBOR-decoded) as the given structure shape. */
export function parseShape(body: unknown, shapeName: string, o: ParseOptions): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw o.error("Start of list found where not expected");
  return (coerce(body, shapeName, o) ?? {}) as Record<string, unknown>;
}

/** Parses one value (a REST label, query parameter or header already decoded to text) as a scalar shape. */
export function parseScalarText(text: string, shapeName: string, o: ParseOptions): unknown {
  const shape = o.shapes[shapeName];
  if (shape === undefined) throw new Error(`unknown shape ${shapeName}`);
  switch (shape.type) {
    case "integer":
    case "long":
    case "double":
    case "float": {
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n)) throw o.error(`'${text}' can not be converted to a number`);
      return shape.type === "integer" || shape.type === "long" ? Math.trunc(n) : n;
    }
    case "boolean":
      if (text === "true") return true;
      if (text === "false") return false;
      throw o.error(`'${text.toUpperCase()}' can not be converted to an Boolean`);
    case "timestamp": {
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) throw o.error(`'${text}' can not be converted to a Date`);
      return new Date(ms);
    }
    default:
      return text;
  }
}
