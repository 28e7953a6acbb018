import type { ShapeDef, ShapeTable } from "./shape-def.js";

/**
 * Checks a parsed input against its shape's constraints (required, length, range, pattern,
 * enum) and words violations as AWS's (Coral) services do:
 * "Value 'x' at 'databaseInput.name' failed to satisfy constraint: Member must ...".
 * At most 10 violations are reported, as AWS does. Services wrap the list in their own
 * ValidationException with `validationMessage`.
 */

const MAX_REPORTED = 10;

function lowerFirst(s: string): string {
  return s.length === 0 ? s : s[0]!.toLowerCase() + s.slice(1);
}

/** How the services print an offending value (Java's toString of the deserialized field). */
function show(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (value instanceof Uint8Array) return `'java.nio.HeapByteBuffer[pos=0 lim=${value.byteLength} cap=${value.byteLength}]'`;
  if (value instanceof Date) return `'${value.toString()}'`;
  if (Array.isArray(value)) return `'[${value.map((v) => (typeof v === "object" ? JSON.stringify(v) : String(v))).join(", ")}]'`;
  if (typeof value === "object") {
    return `'{${Object.entries(value)
      .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
      .join(", ")}}'`;
  }
  return `'${String(value)}'`;
}

const patternCache = new Map<string, RegExp>();
/**
 * Java regexes, matched whole. With the `u` flag so that surrogate-pair escapes in character
 * classes (Glue's `[\u0020-\uD7FF...\uD800\uDC00-\uDBFF\uDFFF\t]*`) mean code points as in Java;
 * patterns that `u` refuses (needless escapes like `\-`) are compiled without it.
 */
function fullMatch(pattern: string, text: string): boolean {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`, "u");
    } catch {
      re = new RegExp(`^(?:${pattern})$`);
    }
    patternCache.set(pattern, re);
  }
  return re.test(text);
}

function lengthOf(value: unknown): number {
  if (typeof value === "string") return value.length; // UTF-16 units, as Java counts
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return value.length;
  if (typeof value === "object" && value !== null) return Object.keys(value).length;
  return 0;
}

function checkValue(value: unknown, shape: ShapeDef, path: string, shapes: ShapeTable, errors: string[]): void {
  const fail = (constraint: string): void => {
    if (errors.length < MAX_REPORTED) errors.push(`Value ${show(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
  };
  if (shape.type === "string") {
    if (shape.enum !== undefined && !shape.enum.includes(value as string)) fail(`Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
    if (shape.pattern !== undefined && !fullMatch(shape.pattern, value as string)) fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
  if (shape.type === "string" || shape.type === "blob" || shape.type === "list" || shape.type === "map") {
    const len = lengthOf(value);
    if (shape.min !== undefined && len < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && len > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
  }
  if (shape.type === "integer" || shape.type === "long" || shape.type === "double" || shape.type === "float") {
    const n = value as number;
    if (shape.min !== undefined && n < shape.min) fail(`Member must have value greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && n > shape.max) fail(`Member must have value less than or equal to ${shape.max}`);
  }
  if (shape.type === "list") {
    const member = shapes[shape.member]!;
    (value as unknown[]).forEach((item, i) => check(item, member, `${path}.${i + 1}.member`, shapes, errors));
  }
  if (shape.type === "map") {
    const valueShape = shapes[shape.value]!;
    const keyShape = shapes[shape.key]!;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      checkValue(k, keyShape, `${path}.${k}.key`, shapes, errors);
      check(v, valueShape, `${path}.${k}.value`, shapes, errors);
    }
  }
  if (shape.type === "structure") checkStructure(value as Record<string, unknown>, shape, path, shapes, errors);
}

function check(value: unknown, shape: ShapeDef, path: string, shapes: ShapeTable, errors: string[]): void {
  if (value === undefined || value === null) return;
  checkValue(value, shape, path, shapes, errors);
}

function checkStructure(
  value: Record<string, unknown>,
  shape: ShapeDef & { type: "structure" },
  path: string,
  shapes: ShapeTable,
  errors: string[],
): void {
  const required = new Set(shape.required ?? []);
  for (const [member, memberShapeName] of Object.entries(shape.members)) {
    const memberPath = path === "" ? lowerFirst(member) : `${path}.${lowerFirst(member)}`;
    const v = value[member];
    if (v === undefined || v === null) {
      if (required.has(member) && errors.length < MAX_REPORTED) {
        errors.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
      }
      continue;
    }
    check(v, shapes[memberShapeName]!, memberPath, shapes, errors);
  }
}

/** Returns the violations of `input` against the structure `shapeName`, in the services' wording. */
export function findViolations(input: unknown, shapeName: string, shapes: ShapeTable): string[] {
  const shape = shapes[shapeName];
  if (shape === undefined || shape.type !== "structure") throw new Error(`not a structure shape: ${shapeName}`);
  const errors: string[] = [];
  checkStructure((input ?? {}) as Record<string, unknown>, shape, "", shapes, errors);
  return errors;
}

/** "2 validation errors detected: <v1>; <v2>", or undefined when there are none. */
export function validationMessage(violations: readonly string[]): string | undefined {
  if (violations.length === 0) return undefined;
  return `${violations.length} validation ${violations.length === 1 ? "error" : "errors"} detected: ${violations.join("; ")}`;
}
