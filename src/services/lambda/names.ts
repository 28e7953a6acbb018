import { LambdaError } from "./errors.js";

/** A function reference resolved from a name, a partial ARN or a full ARN. */
export interface FunctionRef {
  readonly name: string;
  /** Account named in an ARN, if any (it must be the caller's). */
  readonly accountId?: string;
  /** Region named in an ARN, if any. */
  readonly region?: string;
  /** `$LATEST`, a version or an alias, when given after the name. */
  readonly qualifier?: string;
}

// FunctionName accepts "name", "123456789012:function:name" and full ARNs, each with an optional ":qualifier" (CreateFunction/Invoke API docs).
const REF = /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/** Parses a FunctionName parameter. */
export function parseFunctionRef(text: string): FunctionRef {
  const m = REF.exec(text);
  if (m === null) throw new LambdaError("ValidationException", `1 validation error detected: Value '${text}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  const ref: { name: string; accountId?: string; region?: string; qualifier?: string } = { name: m[3]! };
  if (m[1] !== undefined) ref.region = m[1];
  if (m[2] !== undefined) ref.accountId = m[2];
  if (m[4] !== undefined) ref.qualifier = m[4];
  return ref;
}

/** arn:aws:lambda:<region>:<account>:function:<name> */
export function functionArn(region: string, accountId: string, name: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}
