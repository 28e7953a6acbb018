/**
 * The JSON form of an operation's output for the AWS JSON protocols: timestamps as epoch seconds
 * (with millisecond fractions), blobs as base64, undefined members left out.
 */
export function toJsonValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  if (Array.isArray(value)) return value.map(toJsonValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonValue(v);
  return out;
}

/** Serializes an output to a JSON body. */
export function toJsonBody(value: unknown): string {
  return JSON.stringify(toJsonValue(value ?? {}));
}
