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

/**
 * The path to the value being checked, as segments ("items", 2, "member", "kind"), joined only
 * when a violation is reported: most inputs have none, and a 500-record PutRecords would
 * otherwise build thousands of path strings for nothing.
 */
type Path = (string | number)[];

function fail(errors: string[], value: unknown, path: Path, constraint: string): void {
  if (errors.length < MAX_REPORTED) errors.push(`Value ${show(value)} at '${path.join(".")}' failed to satisfy constraint: ${constraint}`);
}

/** A structure's members as [name, shape, path segment], computed once per shape. */
type MemberEntry = readonly [string, ShapeDef, string];
const memberLists = new WeakMap<object, readonly MemberEntry[]>();

function membersOf(shape: ShapeDef & { type: "structure" }, shapes: ShapeTable): readonly MemberEntry[] {
  let list = memberLists.get(shape);
  if (list === undefined) {
    list = Object.entries(shape.members).map(([member, memberShape]) => [member, shapes[memberShape]!, lowerFirst(member)] as const);
    memberLists.set(shape, list);
  }
  return list;
}

function checkValue(value: unknown, shape: ShapeDef, path: Path, shapes: ShapeTable, errors: string[]): void {
  if (shape.type === "string") {
    if (shape.enum !== undefined && !shape.enum.includes(value as string)) fail(errors, value, path, `Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
    if (shape.pattern !== undefined && !fullMatch(shape.pattern, value as string)) fail(errors, value, path, `Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
  if (shape.type === "string" || shape.type === "blob" || shape.type === "list" || shape.type === "map") {
    const len = lengthOf(value);
    if (shape.min !== undefined && len < shape.min) fail(errors, value, path, `Member must have length greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && len > shape.max) fail(errors, value, path, `Member must have length less than or equal to ${shape.max}`);
  }
  if (shape.type === "integer" || shape.type === "long" || shape.type === "double" || shape.type === "float") {
    const n = value as number;
    if (shape.min !== undefined && n < shape.min) fail(errors, value, path, `Member must have value greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && n > shape.max) fail(errors, value, path, `Member must have value less than or equal to ${shape.max}`);
  }
  if (shape.type === "list") {
    const member = shapes[shape.member]!;
    const items = value as unknown[];
    const depth = path.length;
    path.push(0, "member");
    for (let i = 0; i < items.length; i++) {
      path[depth] = i + 1;
      check(items[i], member, path, shapes, errors);
    }
    path.length = depth;
  }
  if (shape.type === "map") {
    const valueShape = shapes[shape.value]!;
    const keyShape = shapes[shape.key]!;
    const depth = path.length;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      path.push(k, "key");
      checkValue(k, keyShape, path, shapes, errors);
      path[depth + 1] = "value";
      check(v, valueShape, path, shapes, errors);
      path.length = depth;
    }
  }
  if (shape.type === "structure") checkStructure(value as Record<string, unknown>, shape, path, shapes, errors);
}

function check(value: unknown, shape: ShapeDef, path: Path, shapes: ShapeTable, errors: string[]): void {
  if (value === undefined || value === null) return;
  checkValue(value, shape, path, shapes, errors);
}

function checkStructure(value: Record<string, unknown>, shape: ShapeDef & { type: "structure" }, path: Path, shapes: ShapeTable, errors: string[]): void {
  const depth = path.length;
  const members = membersOf(shape, shapes);
  for (let m = 0; m < members.length; m++) {
    const [member, memberShape, segment] = members[m]!;
    const v = value[member];
    if (v === undefined || v === null) {
      if (shape.required?.includes(member) === true && errors.length < MAX_REPORTED) {
        path.push(segment);
        errors.push(`Value null at '${path.join(".")}' failed to satisfy constraint: Member must not be null`);
        path.length = depth;
      }
      continue;
    }
    path.push(segment);
    check(v, memberShape, path, shapes, errors);
    path.length = depth;
  }
}

/** Returns the violations of `input` against the structure `shapeName`, in the services' wording. */
export function findViolations(input: unknown, shapeName: string, shapes: ShapeTable): string[] {
  const shape = shapes[shapeName];
  if (shape === undefined || shape.type !== "structure") throw new Error(`not a structure shape: ${shapeName}`);
  const errors: string[] = [];
  checkStructure((input ?? {}) as Record<string, unknown>, shape, [], shapes, errors);
  return errors;
}

/** "2 validation errors detected: <v1>; <v2>", or undefined when there are none. */
export function validationMessage(violations: readonly string[]): string | undefined {
  if (violations.length === 0) return undefined;
  return `${violations.length} validation ${violations.length === 1 ? "error" : "errors"} detected: ${violations.join("; ")}`;
}
