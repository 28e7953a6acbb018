import { S3Error } from "../errors.js";

/** One condition of a POST policy, normalized (S3 API Reference, "POST Policy", Conditions). */
export type PolicyCondition =
  | {
      readonly kind: "eq" | "starts-with";
      /** The form field it constrains, lower-case, without the '$'. */
      readonly field: string;
      readonly value: string;
      /** The condition as S3 quotes it in a refusal: ["eq", "$key", "value"]. */
      readonly text: string;
    }
  | { readonly kind: "content-length-range"; readonly min: number; readonly max: number; readonly text: string };

/** A decoded POST policy document. */
export interface PostPolicy {
  /** When the policy stops being valid, ms since the epoch. */
  readonly expiration: number;
  readonly conditions: readonly PolicyCondition[];
}

const invalid = (detail: string): S3Error => new S3Error("InvalidPolicyDocument", `Invalid Policy: ${detail}`);
const quote = (field: string, op: string, value: string): string => `[${JSON.stringify(op)}, ${JSON.stringify(`$${field}`)}, ${JSON.stringify(value)}]`;

function scalar(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function lengthBound(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function parseCondition(c: unknown): PolicyCondition[] {
  if (Array.isArray(c)) {
    const op = typeof c[0] === "string" ? c[0].toLowerCase() : undefined;
    if (op === "content-length-range") {
      const min = lengthBound(c[1]);
      const max = lengthBound(c[2]);
      if (c.length !== 3 || min === undefined || max === undefined) throw invalid(`Invalid content-length-range: ${JSON.stringify(c)}`);
      return [{ kind: "content-length-range", min, max, text: JSON.stringify(c) }];
    }
    if (op !== "eq" && op !== "starts-with") throw invalid(`Invalid Condition: ${JSON.stringify(c)}`);
    const field = c[1];
    const value = scalar(c[2]);
    if (c.length !== 3 || typeof field !== "string" || !field.startsWith("$") || value === undefined) {
      throw invalid(`Invalid Condition: ${JSON.stringify(c)}`);
    }
    return [{ kind: op, field: field.slice(1).toLowerCase(), value, text: quote(field.slice(1), op, value) }];
  }
  if (typeof c === "object" && c !== null) {
    const entries = Object.entries(c);
    if (entries.length === 0) throw invalid(`Invalid Simple-Condition: ${JSON.stringify(c)}`);
    return entries.map(([field, v]) => {
      const value = scalar(v);
      if (value === undefined) throw invalid(`Invalid Simple-Condition: ${JSON.stringify(c)}`);
      // An exact-match object reads as ["eq", "$field", value] (the form S3 quotes it in).
      return { kind: "eq" as const, field: field.toLowerCase(), value, text: quote(field, "eq", value) };
    });
  }
  throw invalid(`Invalid Condition: ${JSON.stringify(c)}`);
}

/** Decodes the base64 `policy` field: JSON with `expiration` (ISO 8601) and `conditions`. */
export function parsePolicy(base64: string): PostPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(base64, "base64").toString("utf8"));
  } catch {
    throw invalid("Invalid JSON.");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw invalid("Invalid JSON.");
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalid("Policy missing expiration.");
  const when = typeof expiration === "string" && /^\d{4}-\d{2}-\d{2}T/.test(expiration) ? Date.parse(expiration) : Number.NaN;
  if (Number.isNaN(when)) throw invalid(`Invalid 'expiration' value: '${String(expiration)}'`);
  if (conditions === undefined) throw invalid("Policy missing conditions.");
  if (!Array.isArray(conditions)) throw invalid("Invalid 'conditions' value: must be a list.");
  return { expiration: when, conditions: conditions.flatMap(parseCondition) };
}

// Fields no condition needs to cover (S3 API Reference, "POST Policy": every form field except
// x-amz-signature, file, policy and x-ignore-* must appear in the conditions; with SigV2 also
// AWSAccessKeyId and signature).
const EXEMPT = new Set(["policy", "file", "x-amz-signature", "signature", "awsaccesskeyid"]);

function satisfied(c: PolicyCondition & { kind: "eq" | "starts-with" }, actual: string): boolean {
  if (c.kind === "eq") return actual === c.value;
  // A Content-Type may list several values; each must start with the prefix (POST Policy docs).
  if (c.field === "content-type") return actual.split(",").every((part) => part.trim().startsWith(c.value));
  return actual.startsWith(c.value);
}

/**
 * Checks a policy against the form: not expired, every eq / starts-with condition met, every
 * field covered by a condition. `fields` are lower-case names with the values to check (the
 * request's bucket as `bucket`, the key after ${filename} substitution). Throws AccessDenied
 * worded as S3 words it.
 */
export function checkPolicy(policy: PostPolicy, fields: ReadonlyMap<string, string>, names: readonly string[], now: number): void {
  if (now > policy.expiration) throw new S3Error("AccessDenied", "Invalid according to Policy: Policy expired.");
  const covered = new Set<string>();
  for (const c of policy.conditions) {
    if (c.kind === "content-length-range") continue;
    covered.add(c.field);
    if (!satisfied(c, fields.get(c.field) ?? "")) {
      throw new S3Error("AccessDenied", `Invalid according to Policy: Policy Condition failed: ${c.text}`);
    }
  }
  for (const name of names) {
    const lower = name.toLowerCase();
    if (EXEMPT.has(lower) || lower.startsWith("x-ignore-") || covered.has(lower)) continue;
    throw new S3Error("AccessDenied", `Invalid according to Policy: Extra input fields: ${name}`);
  }
}

/** The narrowest content-length-range of a policy, if it has one. */
export function lengthRange(policy: PostPolicy): { min: number; max: number } | undefined {
  let range: { min: number; max: number } | undefined;
  for (const c of policy.conditions) {
    if (c.kind !== "content-length-range") continue;
    range = range === undefined ? { min: c.min, max: c.max } : { min: Math.max(range.min, c.min), max: Math.min(range.max, c.max) };
  }
  return range;
}
