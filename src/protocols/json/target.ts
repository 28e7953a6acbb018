/**
 * AWS JSON 1.1 requests name their operation in X-Amz-Target as "<prefix>.<Operation>"
 * ("Kinesis_20131202.PutRecord", "AWSGlue.GetTable"). Shared by the JSON 1.1 routers.
 */

/** The operation name `target` gives for this service's `prefix`, or undefined (no target, no dot, another prefix). */
export function targetOperation(target: string, prefix: string): string | undefined {
  const dot = target.indexOf(".");
  if (dot === -1 || target.slice(0, dot) !== prefix) return undefined;
  return target.slice(dot + 1);
}

/** `table[name]` when the table itself has that entry (never an Object.prototype member such as "toString"). */
export function ownEntry<T>(table: Readonly<Record<string, T>>, name: string | undefined): T | undefined {
  return name !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

/** How the JSON services word a target that names none of their operations. */
export function unknownOperationMessage(target: string): string {
  return target === "" ? "Missing X-Amz-Target header." : `Unknown operation ${target}.`;
}

/** A JSON request body decoded (an empty body is `{}`), or `error` for text that is not JSON. */
export function decodeJsonBody(raw: Buffer, error: (message: string) => Error): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw error("Unable to parse the JSON request body.");
  }
}
