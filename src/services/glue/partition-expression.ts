import { readQuoted } from "./quoted.js";

/**
 * GetPartitions' Expression: the SQL WHERE subset Glue documents for partition filtering
 * (=, <>, !=, <, >, <=, >=, AND, OR, NOT, IN, BETWEEN, LIKE, IS [NOT] NULL, parentheses), over
 * partition keys compared by their declared types: numbers numerically, date/timestamp as times,
 * everything else as strings (GetPartitions API docs, "Supported Partition Key Types").
 */

/** A partition key as the table declares it. */
export interface PartitionKeyDef {
  readonly name: string;
  readonly type: string;
}

/** A malformed expression, or one naming something that is not a partition key. */
export class PartitionExpressionError extends Error {
  override readonly name = "PartitionExpressionError";
}

type Tok = { kind: "ident" | "string" | "number" | "op" | "punct" | "keyword"; text: string; at: number };

const KEYWORDS = new Set(["and", "or", "not", "in", "between", "like", "is", "null"]);

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      const quoted = readQuoted(text, i, "'");
      if (quoted === undefined) throw new PartitionExpressionError(`Unterminated string literal at position ${i}`);
      out.push({ kind: "string", text: quoted.value, at: i });
      i = quoted.next;
      continue;
    }
    if (c === "`" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end === -1) throw new PartitionExpressionError(`Unterminated quoted name at position ${i}`);
      out.push({ kind: "ident", text: text.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const op = /^(<>|!=|<=|>=|=|<|>)/.exec(text.slice(i));
    if (op !== null) {
      out.push({ kind: "op", text: op[0] === "!=" ? "<>" : op[0], at: i });
      i += op[0].length;
      continue;
    }
    if ("(),".includes(c)) {
      out.push({ kind: "punct", text: c, at: i });
      i++;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(text.slice(i));
    if (num !== null) {
      out.push({ kind: "number", text: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const word = /^[\p{L}_][\p{L}\p{N}_$]*/u.exec(text.slice(i));
    if (word === null) throw new PartitionExpressionError(`Unexpected character '${c}' at position ${i}`);
    const lower = word[0].toLowerCase();
    out.push({ kind: KEYWORDS.has(lower) ? "keyword" : "ident", text: KEYWORDS.has(lower) ? lower : word[0], at: i });
    i += word[0].length;
  }
  return out;
}

type Operand = { readonly key: number } | { readonly literal: string };
type Node =
  | { readonly t: "and" | "or"; readonly a: Node; readonly b: Node }
  | { readonly t: "not"; readonly a: Node }
  | { readonly t: "cmp"; readonly op: string; readonly l: Operand; readonly r: Operand }
  | { readonly t: "in"; readonly l: Operand; readonly list: readonly Operand[] }
  | { readonly t: "between"; readonly l: Operand; readonly lo: Operand; readonly hi: Operand }
  | { readonly t: "like"; readonly l: Operand; readonly pattern: Operand }
  | { readonly t: "null"; readonly l: Operand };

class Parser {
  #i = 0;
  constructor(
    private readonly toks: readonly Tok[],
    private readonly keys: readonly PartitionKeyDef[],
  ) {}

  #peek(): Tok | undefined {
    return this.toks[this.#i];
  }
  #isKeyword(k: string): boolean {
    const t = this.#peek();
    return t?.kind === "keyword" && t.text === k;
  }
  #take(kind: Tok["kind"], text?: string): Tok {
    const t = this.#peek();
    if (t === undefined || t.kind !== kind || (text !== undefined && t.text !== text)) {
      throw new PartitionExpressionError(t === undefined ? `Expected ${text ?? kind} at the end of the expression` : `Unexpected '${t.text}' at position ${t.at}`);
    }
    this.#i++;
    return t;
  }

  parse(): Node {
    const n = this.#or();
    const rest = this.#peek();
    if (rest !== undefined) throw new PartitionExpressionError(`Unexpected '${rest.text}' at position ${rest.at}`);
    return n;
  }
  #or(): Node {
    let n = this.#and();
    while (this.#isKeyword("or")) {
      this.#i++;
      n = { t: "or", a: n, b: this.#and() };
    }
    return n;
  }
  #and(): Node {
    let n = this.#not();
    while (this.#isKeyword("and")) {
      this.#i++;
      n = { t: "and", a: n, b: this.#not() };
    }
    return n;
  }
  #not(): Node {
    if (this.#isKeyword("not")) {
      this.#i++;
      return { t: "not", a: this.#not() };
    }
    const t = this.#peek();
    if (t?.kind === "punct" && t.text === "(") {
      this.#i++;
      const n = this.#or();
      this.#take("punct", ")");
      return n;
    }
    return this.#predicate();
  }
  #operand(): Operand {
    const t = this.#peek();
    if (t === undefined) throw new PartitionExpressionError("Expected a value at the end of the expression");
    this.#i++;
    if (t.kind === "string" || t.kind === "number") return { literal: t.text };
    if (t.kind === "ident") {
      const index = this.keys.findIndex((k) => k.name.toLowerCase() === t.text.toLowerCase());
      if (index !== -1) return { key: index };
      // date '2020-01-01' and timestamp '...' typed literals
      const next = this.#peek();
      if (/^(date|timestamp)$/i.test(t.text) && next?.kind === "string") {
        this.#i++;
        return { literal: next.text };
      }
      throw new PartitionExpressionError(`Unknown column '${t.text}': only partition keys can be used in a partition filter`);
    }
    throw new PartitionExpressionError(`Unexpected '${t.text}' at position ${t.at}`);
  }
  #predicate(): Node {
    const l = this.#operand();
    const negate = (n: Node): Node => ({ t: "not", a: n });
    if (this.#isKeyword("is")) {
      this.#i++;
      const not = this.#isKeyword("not");
      if (not) this.#i++;
      this.#take("keyword", "null");
      const n: Node = { t: "null", l };
      return not ? negate(n) : n;
    }
    let not = false;
    if (this.#isKeyword("not")) {
      this.#i++;
      not = true;
    }
    let n: Node;
    if (this.#isKeyword("in")) {
      this.#i++;
      this.#take("punct", "(");
      const list = [this.#operand()];
      while (this.#peek()?.text === ",") {
        this.#i++;
        list.push(this.#operand());
      }
      this.#take("punct", ")");
      n = { t: "in", l, list };
    } else if (this.#isKeyword("between")) {
      this.#i++;
      const lo = this.#operand();
      this.#take("keyword", "and");
      n = { t: "between", l, lo, hi: this.#operand() };
    } else if (this.#isKeyword("like")) {
      this.#i++;
      n = { t: "like", l, pattern: this.#operand() };
    } else {
      if (not) throw new PartitionExpressionError("Expected IN, BETWEEN or LIKE after NOT");
      const op = this.#take("op").text;
      return { t: "cmp", op, l, r: this.#operand() };
    }
    return not ? negate(n) : n;
  }
}

type Kind = "number" | "time" | "string";

function kindOf(type: string): Kind {
  const t = type.trim().toLowerCase();
  if (/^(tinyint|smallint|int|integer|bigint|long|float|double|decimal)\b/.test(t)) return "number";
  if (t === "date" || t === "timestamp") return "time";
  return "string";
}

function compare(a: string, b: string, kind: Kind): number {
  if (kind === "number") {
    const x = Number(a);
    const y = Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  }
  if (kind === "time") {
    const x = Date.parse(a);
    const y = Date.parse(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function likeToRegExp(pattern: string): RegExp {
  let src = "";
  for (const ch of pattern) src += ch === "%" ? ".*" : ch === "_" ? "." : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^${src}$`, "s");
}

/** Compiles an expression against a table's partition keys into a test of a partition's Values. */
export function compilePartitionFilter(expression: string, keys: readonly PartitionKeyDef[]): (values: readonly string[]) => boolean {
  const tree = new Parser(tokenize(expression), keys).parse();
  const kinds = keys.map((k) => kindOf(k.type));
  const evaluate = (n: Node, values: readonly string[]): boolean => {
    const value = (o: Operand): string | undefined => ("key" in o ? values[o.key] : o.literal);
    const kind = (...ops: Operand[]): Kind => {
      for (const o of ops) if ("key" in o) return kinds[o.key]!;
      return "string";
    };
    switch (n.t) {
      case "and":
        return evaluate(n.a, values) && evaluate(n.b, values);
      case "or":
        return evaluate(n.a, values) || evaluate(n.b, values);
      case "not":
        return !evaluate(n.a, values);
      case "null":
        return value(n.l) === undefined;
      case "cmp": {
        const l = value(n.l);
        const r = value(n.r);
        if (l === undefined || r === undefined) return false;
        const c = compare(l, r, kind(n.l, n.r));
        return n.op === "=" ? c === 0 : n.op === "<>" ? c !== 0 : n.op === "<" ? c < 0 : n.op === ">" ? c > 0 : n.op === "<=" ? c <= 0 : c >= 0;
      }
      case "in": {
        const l = value(n.l);
        const k = kind(n.l, ...n.list);
        return l !== undefined && n.list.some((o) => {
          const r = value(o);
          return r !== undefined && compare(l, r, k) === 0;
        });
      }
      case "between": {
        const l = value(n.l);
        const lo = value(n.lo);
        const hi = value(n.hi);
        const k = kind(n.l, n.lo, n.hi);
        return l !== undefined && lo !== undefined && hi !== undefined && compare(l, lo, k) >= 0 && compare(l, hi, k) <= 0;
      }
      case "like": {
        const l = value(n.l);
        const p = value(n.pattern);
        return l !== undefined && p !== undefined && likeToRegExp(p).test(l);
      }
    }
  };
  return (values) => evaluate(tree, values);
}
