/**
 * The jq subset Firehose dynamic partitioning uses (MetadataExtraction with JsonParsingEngine
 * JQ-1.6): an object of partition keys built from paths over the record, piped through a few
 * builtins, e.g. `{customer_id: .customer_id, device: .type.device, year: .event_timestamp | strftime("%Y")}`
 * (Firehose developer guide, "Dynamic Partitioning", "Creating partitioning keys with inline parsing").
 *
 * Supported: `.`, `.a`, `."a b"`, `.["a"]`, `.[0]`, chained paths, `|`, `//`, parentheses,
 * string/number/true/false/null literals, object construction (`{a: expr}`, `{"a": expr}`, `{a}`),
 * and the builtins strftime(fmt), todate, tostring, tonumber, ascii_downcase, ascii_upcase,
 * ltrimstr(s), rtrimstr(s), length, keys.
 */

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class JqError extends Error {
  override readonly name = "JqError";
}

type Node =
  | { t: "identity" }
  | { t: "literal"; v: Json }
  | { t: "index"; of: Node; key: Node }
  | { t: "pipe"; l: Node; r: Node }
  | { t: "alt"; l: Node; r: Node }
  | { t: "object"; entries: Array<[string, Node]> }
  | { t: "call"; name: string; args: Node[] };

type Tok = { k: "punct"; v: string } | { k: "ident"; v: string } | { k: "str"; v: string } | { k: "num"; v: number } | { k: "end" };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "/") {
      out.push({ k: "punct", v: "//" });
      i += 2;
      continue;
    }
    if ("{}[]().|:,?;".includes(c)) {
      out.push({ k: "punct", v: c });
      i++;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== '"') {
        if (src[j] === "\\") {
          const e = src[j + 1];
          s += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : (e ?? "");
          j += 2;
        } else s += src[j++];
      }
      if (j >= src.length) throw new JqError(`unterminated string in ${src}`);
      out.push({ k: "str", v: s });
      i = j + 1;
      continue;
    }
    const num = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num !== null && (c !== "-" || out.length === 0 || out[out.length - 1]!.k === "punct")) {
      out.push({ k: "num", v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i));
    if (id !== null) {
      out.push({ k: "ident", v: id[0] });
      i += id[0].length;
      continue;
    }
    throw new JqError(`syntax error at '${src.slice(i, i + 10)}'`);
  }
  out.push({ k: "end" });
  return out;
}

class Parser {
  #i = 0;
  constructor(readonly toks: Tok[]) {}
  peek(): Tok {
    return this.toks[this.#i]!;
  }
  next(): Tok {
    return this.toks[this.#i++]!;
  }
  isPunct(v: string): boolean {
    const t = this.peek();
    return t.k === "punct" && t.v === v;
  }
  expect(v: string): void {
    if (!this.isPunct(v)) throw new JqError(`expected '${v}'`);
    this.#i++;
  }
  pipe(): Node {
    let l = this.alt();
    while (this.isPunct("|")) {
      this.#i++;
      l = { t: "pipe", l, r: this.alt() };
    }
    return l;
  }
  alt(): Node {
    let l = this.postfix();
    while (this.isPunct("//")) {
      this.#i++;
      l = { t: "alt", l, r: this.postfix() };
    }
    return l;
  }
  postfix(): Node {
    let n = this.primary();
    for (;;) {
      if (this.isPunct("?")) {
        this.#i++;
        continue;
      }
      if (this.isPunct("[")) {
        this.#i++;
        const key = this.pipe();
        this.expect("]");
        n = { t: "index", of: n, key };
        continue;
      }
      if (this.isPunct(".")) {
        const after = this.toks[this.#i + 1]!;
        if (after.k === "ident" || after.k === "str") {
          this.#i += 2;
          n = { t: "index", of: n, key: { t: "literal", v: after.v } };
          continue;
        }
        if (after.k === "punct" && after.v === "[") {
          this.#i++;
          continue;
        }
      }
      return n;
    }
  }
  primary(): Node {
    const t = this.next();
    if (t.k === "punct" && t.v === ".") {
      const after = this.peek();
      if (after.k === "ident" || after.k === "str") {
        this.#i++;
        return { t: "index", of: { t: "identity" }, key: { t: "literal", v: after.v } };
      }
      return { t: "identity" };
    }
    if (t.k === "str") return { t: "literal", v: t.v };
    if (t.k === "num") return { t: "literal", v: t.v };
    if (t.k === "punct" && t.v === "(") {
      const n = this.pipe();
      this.expect(")");
      return n;
    }
    if (t.k === "punct" && t.v === "{") return this.object();
    if (t.k === "ident") {
      if (t.v === "null") return { t: "literal", v: null };
      if (t.v === "true") return { t: "literal", v: true };
      if (t.v === "false") return { t: "literal", v: false };
      const args: Node[] = [];
      if (this.isPunct("(")) {
        this.#i++;
        for (;;) {
          args.push(this.pipe());
          if (this.isPunct(";")) this.#i++;
          else break;
        }
        this.expect(")");
      }
      if (!(t.v in BUILTINS) || BUILTINS[t.v]!.arity !== args.length) throw new JqError(`${t.v}/${args.length} is not defined`);
      return { t: "call", name: t.v, args };
    }
    throw new JqError("syntax error: unexpected token");
  }
  object(): Node {
    const entries: Array<[string, Node]> = [];
    if (this.isPunct("}")) {
      this.#i++;
      return { t: "object", entries };
    }
    for (;;) {
      const k = this.next();
      if (k.k !== "ident" && k.k !== "str") throw new JqError("object keys must be names or strings");
      if (this.isPunct(":")) {
        this.#i++;
        entries.push([k.v, this.pipe()]);
      } else {
        entries.push([k.v, { t: "index", of: { t: "identity" }, key: { t: "literal", v: k.v } }]);
      }
      if (this.isPunct(",")) {
        this.#i++;
        continue;
      }
      this.expect("}");
      return { t: "object", entries };
    }
  }
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** C strftime over UTC, the conversions jq's strftime passes through. */
export function strftime(format: string, epochSeconds: number): string {
  const d = new Date(Math.floor(epochSeconds * 1000));
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  const yday = Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  return format.replace(/%([a-zA-Z%])/g, (_m, c: string) => {
    switch (c) {
      case "Y":
        return String(d.getUTCFullYear());
      case "y":
        return p(d.getUTCFullYear() % 100);
      case "m":
        return p(d.getUTCMonth() + 1);
      case "d":
        return p(d.getUTCDate());
      case "e":
        return String(d.getUTCDate()).padStart(2, " ");
      case "H":
        return p(d.getUTCHours());
      case "I":
        return p(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12);
      case "M":
        return p(d.getUTCMinutes());
      case "S":
        return p(d.getUTCSeconds());
      case "j":
        return p(yday, 3);
      case "p":
        return d.getUTCHours() < 12 ? "AM" : "PM";
      case "a":
        return DAY_NAMES[d.getUTCDay()]!.slice(0, 3);
      case "A":
        return DAY_NAMES[d.getUTCDay()]!;
      case "b":
      case "h":
        return MONTH_NAMES[d.getUTCMonth()]!.slice(0, 3);
      case "B":
        return MONTH_NAMES[d.getUTCMonth()]!;
      case "F":
        return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
      case "T":
        return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
      case "s":
        return String(Math.floor(epochSeconds));
      case "u":
        return String(d.getUTCDay() === 0 ? 7 : d.getUTCDay());
      case "w":
        return String(d.getUTCDay());
      case "Z":
        return "UTC";
      case "z":
        return "+0000";
      case "%":
        return "%";
      default:
        throw new JqError(`strftime/1: unsupported conversion %${c}`);
    }
  });
}

function typeName(v: Json): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v === "object" ? "object" : typeof v;
}

function show(v: Json): string {
  const s = JSON.stringify(v);
  return s.length > 11 ? `${s.slice(0, 10)}...` : s;
}

const BUILTINS: Record<string, { arity: number; fn: (input: Json, args: Json[]) => Json }> = {
  strftime: {
    arity: 1,
    fn(input, [fmt]) {
      if (typeof fmt !== "string") throw new JqError("strftime/1 requires a string format");
      if (typeof input !== "number") throw new JqError("strftime/1 requires parsed datetime inputs");
      return strftime(fmt, input);
    },
  },
  todate: {
    arity: 0,
    fn(input) {
      if (typeof input !== "number") throw new JqError("strftime/1 requires parsed datetime inputs");
      return strftime("%Y-%m-%dT%H:%M:%SZ", input);
    },
  },
  tostring: { arity: 0, fn: (input) => (typeof input === "string" ? input : JSON.stringify(input)) },
  tonumber: {
    arity: 0,
    fn(input) {
      if (typeof input === "number") return input;
      const n = typeof input === "string" && input.trim() !== "" ? Number(input) : NaN;
      if (Number.isNaN(n)) throw new JqError(`Cannot parse ${show(input)} as JSON`);
      return n;
    },
  },
  ascii_downcase: {
    arity: 0,
    fn(input) {
      if (typeof input !== "string") throw new JqError("ascii_downcase input must be a string");
      return input.replace(/[A-Z]/g, (c) => c.toLowerCase());
    },
  },
  ascii_upcase: {
    arity: 0,
    fn(input) {
      if (typeof input !== "string") throw new JqError("ascii_upcase input must be a string");
      return input.replace(/[a-z]/g, (c) => c.toUpperCase());
    },
  },
  ltrimstr: { arity: 1, fn: (input, [s]) => (typeof input === "string" && typeof s === "string" && input.startsWith(s) ? input.slice(s.length) : input) },
  rtrimstr: {
    arity: 1,
    fn: (input, [s]) => (typeof input === "string" && typeof s === "string" && s !== "" && input.endsWith(s) ? input.slice(0, input.length - s.length) : input),
  },
  length: {
    arity: 0,
    fn(input) {
      if (input === null) return 0;
      if (typeof input === "string" || Array.isArray(input)) return input.length;
      if (typeof input === "object") return Object.keys(input).length;
      if (typeof input === "number") return Math.abs(input);
      throw new JqError(`${typeName(input)} (${show(input)}) has no length`);
    },
  },
  keys: {
    arity: 0,
    fn(input) {
      if (Array.isArray(input)) return input.map((_v, i) => i);
      if (input !== null && typeof input === "object") return Object.keys(input).sort();
      throw new JqError(`${typeName(input)} (${show(input)}) has no keys`);
    },
  },
};

function evaluate(n: Node, input: Json): Json {
  switch (n.t) {
    case "identity":
      return input;
    case "literal":
      return n.v;
    case "pipe":
      return evaluate(n.r, evaluate(n.l, input));
    case "alt": {
      let l: Json = null;
      try {
        l = evaluate(n.l, input);
      } catch {
        l = null;
      }
      return l === null || l === false ? evaluate(n.r, input) : l;
    }
    case "index": {
      const of = evaluate(n.of, input);
      const key = evaluate(n.key, input);
      if (of === null) return null;
      if (typeof key === "string") {
        if (typeof of !== "object" || Array.isArray(of)) throw new JqError(`Cannot index ${typeName(of)} with "${key}"`);
        return of[key] ?? null;
      }
      if (typeof key === "number") {
        if (!Array.isArray(of)) throw new JqError(`Cannot index ${typeName(of)} with number`);
        const i = key < 0 ? of.length + key : Math.floor(key);
        return of[i] ?? null;
      }
      throw new JqError(`Cannot index ${typeName(of)} with ${typeName(key)}`);
    }
    case "object": {
      const out: { [k: string]: Json } = {};
      for (const [k, v] of n.entries) out[k] = evaluate(v, input);
      return out;
    }
    case "call": {
      const b = BUILTINS[n.name]!;
      return b.fn(
        input,
        n.args.map((a) => evaluate(a, input)),
      );
    }
  }
}

/** A compiled jq program. */
export interface JqProgram {
  readonly source: string;
  run(input: Json): Json;
}

/** Compiles a program (throws JqError on syntax the subset does not cover). */
export function compileJq(source: string): JqProgram {
  const p = new Parser(lex(source));
  const node = p.pipe();
  if (p.peek().k !== "end") throw new JqError(`syntax error: unexpected input after the expression in ${source}`);
  return { source, run: (input) => evaluate(node, input) };
}

/** The keys a MetadataExtractionQuery object construction defines (for checking a prefix's partitionKeyFromQuery names). */
export function objectKeysOf(source: string): string[] | undefined {
  const node = new Parser(lex(source)).pipe();
  return node.t === "object" ? node.entries.map(([k]) => k) : undefined;
}

/**
 * Runs a MetadataExtractionQuery over a record and returns its partition keys as strings;
 * throws JqError when the record is not JSON, the query fails, or a key is null or not a scalar.
 */
export function extractPartitionKeys(program: JqProgram, data: Uint8Array): Record<string, string> {
  let parsed: Json;
  try {
    parsed = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8")) as Json;
  } catch {
    throw new JqError("Non JSON record provided");
  }
  const result = program.run(parsed);
  if (result === null || typeof result !== "object" || Array.isArray(result)) throw new JqError("Metadata extraction query did not produce an object");
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(result)) {
    if (v === null) throw new JqError(`The partition key ${k} evaluated to null`);
    if (typeof v === "object") throw new JqError(`The partition key ${k} evaluated to a ${typeName(v)}`);
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}
