import type { BlobArenas } from "./blob-arena.js";
import type { ParseOptions } from "./parse-shape.js";
import type { ShapeDef, ShapeTable } from "./shape-def.js";

/**
 * A shape-directed JSON parser that reads an operation's input straight from the request bytes,
 * for the plain JSON the SDKs send: known members once each, strings without escapes, integers
 * without fractions, canonical base64 blobs (decoded into one buffer per request, taken from
 * `arenas` when given: the caller then owns the blobs' lifetime).
 *
 * Anything else (escapes, nulls, unknown or repeated members, fractions, timestamps, maps, a
 * value of the wrong type, base64 that is not canonical, text that is not JSON) makes it return
 * `undefined`, and the caller takes the general path (`JSON.parse` + `parseShape`), which gives
 * the exact result or the exact error. Whatever this parser accepts, it returns exactly what the
 * general path would: the same members, in the shape's order, with the same values.
 */
export function parseJsonInputFast(raw: Buffer, shapeName: string, o: Pick<ParseOptions, "shapes">, arenas?: BlobArenas): Record<string, unknown> | undefined {
  if (raw.length === 0) return undefined;
  const shape = o.shapes[shapeName];
  if (shape === undefined || shape.type !== "structure") return undefined;
  const p = new FastParser(raw, o.shapes, arenas);
  try {
    p.skipWs();
    const out = p.structure(shape);
    p.skipWs();
    return p.pos === raw.length ? out : undefined;
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}

/** Thrown inside the parser to give up; never escapes `parseJsonInputFast`. */
const BAIL: unique symbol = Symbol("bail");

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;

/** Each byte's value as a base64 digit (the standard alphabet; 0xff for anything else). */
const BASE64_VALUE = new Uint8Array(256).fill(0xff);
for (let i = 0; i < 64; i++) BASE64_VALUE["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(i)] = i;


type StructureShape = ShapeDef & { type: "structure" };

/**
 * Node's Buffer methods behind `toString(enc, s, e)` and `write(s, off, enc)`, called without the
 * encoding lookup and argument checks (undocumented, but what Node itself calls).
 */
interface RawBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
  base64Write(s: string, offset: number, length: number): number;
}

/** A structure's members by name (index into `names`/`shapes`), built once per shape. */
interface MemberIndex {
  readonly names: readonly string[];
  /** Each name's bytes (member names are ASCII), matched against a key in the body without making a string. */
  readonly nameBytes: readonly Uint8Array[];
  readonly shapes: readonly string[];
}

const memberIndexes = new WeakMap<StructureShape, MemberIndex>();

function memberIndex(shape: StructureShape): MemberIndex {
  let idx = memberIndexes.get(shape);
  if (idx === undefined) {
    const names: string[] = [];
    const shapes: string[] = [];
    for (const [name, memberShape] of Object.entries(shape.members)) {
      // REST members bound to the URI, headers or query are never read from the body: let the general path drop them.
      if (shape.bindings?.[name] !== undefined) continue;
      names.push(name);
      shapes.push(memberShape);
    }
    idx = { names, nameBytes: names.map((n) => Buffer.from(n, "utf8")), shapes };
    memberIndexes.set(shape, idx);
  }
  return idx;
}

class FastParser {
  pos = 0;
  /** Decoded blobs live here: one buffer per request (from `arenas` when given), sized for the whole body. */
  #arena: RawBuffer | undefined;
  #arenaUsed = 0;

  constructor(
    readonly raw: Buffer,
    readonly shapes: ShapeTable,
    readonly arenas: BlobArenas | undefined,
  ) {}

  skipWs(): void {
    const raw = this.raw;
    let p = this.pos;
    while (p < raw.length) {
      const c = raw[p]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  #expect(byte: number): void {
    if (this.raw[this.pos] !== byte) throw BAIL;
    this.pos++;
  }

  structure(shape: StructureShape): Record<string, unknown> {
    const idx = memberIndex(shape);
    const values = new Array<unknown>(idx.names.length);
    this.#expect(0x7b); // {
    this.skipWs();
    if (this.raw[this.pos] === 0x7d) {
      this.pos++;
    } else {
      for (;;) {
        const i = this.#memberKey(idx);
        if (values[i] !== undefined) throw BAIL;
        this.skipWs();
        this.#expect(0x3a); // :
        this.skipWs();
        values[i] = this.value(idx.shapes[i]!);
        this.skipWs();
        const c = this.raw[this.pos++];
        if (c === 0x7d) break;
        if (c !== 0x2c) throw BAIL;
        this.skipWs();
      }
    }
    const out: Record<string, unknown> = {};
    for (let i = 0; i < values.length; i++) if (values[i] !== undefined) out[idx.names[i]!] = values[i];
    return out;
  }

  value(shapeName: string): unknown {
    const shape = this.shapes[shapeName];
    if (shape === undefined) throw BAIL;
    switch (shape.type) {
      case "string":
        return this.#plainString();
      case "blob":
        return this.#blob();
      case "integer":
      case "long":
        return this.#integer();
      case "boolean":
        return this.#boolean();
      case "list":
        return this.#list(shape.member);
      case "structure":
        return this.structure(shape);
      default:
        throw BAIL;
    }
  }

  #list(member: string): unknown[] {
    this.#expect(0x5b); // [
    this.skipWs();
    const out: unknown[] = [];
    if (this.raw[this.pos] === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(member));
      this.skipWs();
      const c = this.raw[this.pos++];
      if (c === 0x5d) return out;
      if (c !== 0x2c) throw BAIL;
      this.skipWs();
    }
  }

  /**
   * A member name: which of the structure's members the quoted key names, compared byte for byte
   * (no string made). A key with an escape, or naming no member, gives up.
   */
  #memberKey(idx: MemberIndex): number {
    const raw = this.raw;
    this.#expect(QUOTE);
    const start = this.pos;
    let p = start;
    for (;;) {
      if (p >= raw.length) throw BAIL;
      const c = raw[p]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20) throw BAIL;
      p++;
    }
    this.pos = p + 1;
    const len = p - start;
    const names = idx.nameBytes;
    outer: for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (name.length !== len) continue;
      for (let j = 0; j < len; j++) if (name[j] !== raw[start + j]) continue outer;
      return i;
    }
    throw BAIL;
  }

  /** A string without escapes or control characters; UTF-8 decoded like the whole body would be. */
  #plainString(): string {
    const raw = this.raw;
    this.#expect(QUOTE);
    const start = this.pos;
    let p = start;
    let ascii = true;
    for (;;) {
      if (p >= raw.length) throw BAIL;
      const c = raw[p]!;
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20) throw BAIL;
      if (c >= 0x80) ascii = false;
      p++;
    }
    this.pos = p + 1;
    if (ascii) return (raw as RawBuffer).latin1Slice(start, p);
    return (raw as RawBuffer).utf8Slice(start, p);
  }

  /**
   * A base64 blob, accepted only in its canonical form (the only form the strict deserializer
   * takes unchanged). Node's decoder skips characters outside the alphabet and stops at the first
   * '=', so a text of 4k characters ending in p '=' decodes to exactly 3k - p bytes only when every
   * other character is in the alphabet; that alphabet also takes '-' and '_' (base64url), which
   * are looked for in the text, and the bits the last character carries past the data must be 0.
   */
  #blob(): Uint8Array {
    const raw = this.raw;
    this.#expect(QUOTE);
    const start = this.pos;
    const end = raw.indexOf(QUOTE, start);
    if (end === -1) throw BAIL;
    this.pos = end + 1;
    const len = end - start;
    if (len % 4 !== 0) throw BAIL;
    const pad = raw[end - 1] === EQUALS ? (raw[end - 2] === EQUALS ? 2 : 1) : 0;
    // The character before the padding carries 2 (one '=') or 4 (two) bits past the data: they must be 0.
    if (pad !== 0 && (BASE64_VALUE[raw[end - 1 - pad]!]! & (pad === 1 ? 0x03 : 0x0f)) !== 0) throw BAIL;
    const text = (raw as RawBuffer).latin1Slice(start, end);
    if (text.indexOf("-") !== -1 || text.indexOf("_") !== -1) throw BAIL;
    const arena = this.#arenaFor(len);
    const off = this.#arenaUsed;
    const n = arena.base64Write(text, off, arena.length - off);
    if (n !== (len / 4) * 3 - pad) throw BAIL;
    this.#arenaUsed = off + n;
    return new Uint8Array(arena.buffer, arena.byteOffset + off, n);
  }

  #arenaFor(textLength: number): RawBuffer {
    const need = Math.ceil(textLength / 4) * 3;
    if (this.#arena === undefined || this.#arena.length - this.#arenaUsed < need) {
      // Every blob of this body fits: base64 never decodes to more than 3/4 of its text.
      const size = Math.max(need, Math.ceil(this.raw.length / 4) * 3);
      this.#arena = (this.arenas !== undefined ? this.arenas.take(size) : size > 64 * 1024 ? Buffer.allocUnsafeSlow(size) : Buffer.allocUnsafe(size)) as RawBuffer;
      this.#arenaUsed = 0;
    }
    return this.#arena;
  }

  /** An integer without fraction or exponent, as JSON.parse would read it (up to 15 digits). */
  #integer(): number {
    const raw = this.raw;
    let p = this.pos;
    const negative = raw[p] === 0x2d;
    if (negative) p++;
    const first = p;
    let n = 0;
    while (p < raw.length) {
      const c = raw[p]!;
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
      p++;
    }
    const digits = p - first;
    if (digits === 0 || digits > 15 || (digits > 1 && raw[first] === 0x30)) throw BAIL;
    const next = raw[p];
    if (next === 0x2e || next === 0x65 || next === 0x45) throw BAIL; // . e E: let JSON.parse and the deserializer decide
    this.pos = p;
    return negative ? -n : n;
  }

  #boolean(): boolean {
    const raw = this.raw;
    const p = this.pos;
    if (raw[p] === 0x74 && raw[p + 1] === 0x72 && raw[p + 2] === 0x75 && raw[p + 3] === 0x65) {
      this.pos = p + 4;
      return true;
    }
    if (raw[p] === 0x66 && raw[p + 1] === 0x61 && raw[p + 2] === 0x6c && raw[p + 3] === 0x73 && raw[p + 4] === 0x65) {
      this.pos = p + 5;
      return false;
    }
    throw BAIL;
  }
}
