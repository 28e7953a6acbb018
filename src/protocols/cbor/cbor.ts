import { Decoder, Encoder, Tag } from "cbor-x";

/**
 * CBOR for the AWS JSON-RPC services' `application/x-amz-cbor-1.1` protocol (the Java SDK's
 * default for Kinesis): maps with string keys, blobs as byte strings, timestamps as tag 1.
 */

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false, variableMapSize: true });
// int64AsNumber (untyped in cbor-x's .d.ts): 64-bit integers such as epoch-ms timestamps as numbers, not BigInt.
const decoderOptions = { useRecords: false, mapsAsObjects: true, int64AsNumber: true };
const decoder = new Decoder(decoderOptions);

// The AWS CBOR protocol writes tag 1 with epoch *milliseconds*, not RFC 8949's seconds
// (aws-sdk-java-v2 AwsCborProtocolFactory: "CBOR uses epoch millis for timestamps").
const EPOCH_TAG = 1;
// A tag-1 value above this many seconds (year 5138) can only have been milliseconds.
const MAX_PLAUSIBLE_EPOCH_SECONDS = 1e11;

function prepare(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return new Tag(BigInt(value.getTime()), EPOCH_TAG); // BigInt: a uint64, not a float
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) return value.map(prepare);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = prepare(v);
  return out;
}

function normalize(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) {
    // cbor-x read the tag as seconds; undo that when the sender meant milliseconds.
    const ms = value.getTime();
    return ms > MAX_PLAUSIBLE_EPOCH_SECONDS * 1000 ? new Date(Math.round(ms / 1000)) : value;
  }
  if (value instanceof Uint8Array) return value;
  if (value instanceof Tag) return normalize(value.value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = normalize(v);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = normalize(v);
  return out;
}

/** Encodes a JSON-like value; Date -> tag 1 epoch milliseconds, Uint8Array -> byte string, undefined members dropped. */
export function encodeCbor(value: unknown): Buffer {
  return encoder.encode(prepare(value));
}

/** Decodes one CBOR item; byte strings come back as Uint8Array, tag 1 as Date (seconds or milliseconds). */
export function decodeCbor(bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) throw new CborError("empty CBOR body");
  try {
    return normalize(decoder.decode(bytes));
  } catch (err) {
    throw new CborError(err instanceof Error ? err.message : String(err));
  }
}

/** A body that is not well-formed CBOR. */
export class CborError extends Error {
  override readonly name = "CborError";
}
