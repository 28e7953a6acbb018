import { readQuoted } from "./quoted.js";

/**
 * Hive column types as Glue tables carry them (`string`, `decimal(10,2)`,
 * `array<struct<a:int,b:map<string,double>>>`), parsed into a typed tree. Firehose's format
 * conversion builds Parquet schemas from it; names are matched case-insensitively and folded to
 * lower case, as Hive's TypeInfoParser does.
 */

/** Hive's primitive types that take no parameters. */
export type HivePrimitiveName =
  | "string"
  | "tinyint"
  | "smallint"
  | "int"
  | "bigint"
  | "float"
  | "double"
  | "boolean"
  | "timestamp"
  | "date"
  | "binary";

/** One field of a struct type. */
export interface HiveStructField {
  /** The field name as written (backquotes removed); Hive compares these case-insensitively. */
  readonly name: string;
  readonly type: HiveType;
  /** `COMMENT '...'` text, when given. */
  readonly comment?: string;
}

/** A parsed Hive type. */
export type HiveType =
  | { readonly kind: "primitive"; readonly name: HivePrimitiveName }
  | { readonly kind: "decimal"; readonly precision: number; readonly scale: number }
  | { readonly kind: "varchar" | "char"; readonly length: number }
  | { readonly kind: "array"; readonly element: HiveType }
  | { readonly kind: "map"; readonly key: HiveType; readonly value: HiveType }
  | { readonly kind: "struct"; readonly fields: readonly HiveStructField[] }
  | { readonly kind: "uniontype"; readonly members: readonly HiveType[] };

/** A type string that is not a valid Hive type; `position` is the 0-based offset of the problem. */
export class HiveTypeError extends Error {
  override readonly name = "HiveTypeError";
  constructor(
    message: string,
    readonly text: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position} of '${text}'`);
  }
}

const PRIMITIVE_ALIASES: Readonly<Record<string, HivePrimitiveName>> = {
  string: "string",
  tinyint: "tinyint",
  smallint: "smallint",
  int: "int",
  integer: "int",
  bigint: "bigint",
  float: "float",
  real: "float",
  double: "double",
  boolean: "boolean",
  timestamp: "timestamp",
  date: "date",
  binary: "binary",
};

/** Hive's limits (HiveDecimal.MAX_PRECISION, HiveVarchar/HiveChar max lengths). */
export const HIVE_LIMITS = { maxDecimalPrecision: 38, maxVarcharLength: 65535, maxCharLength: 255 } as const;

type Token = { readonly kind: "word" | "quoted" | "string" | "number" | "punct"; readonly text: string; readonly at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ("<>(),:".includes(c)) {
      tokens.push({ kind: "punct", text: c, at: i });
      i++;
      continue;
    }
    if (c === "`") {
      // Backquoted identifier; `` inside is an escaped backquote (Hive's rule).
      const quoted = readQuoted(text, i, "`");
      if (quoted === undefined) throw new HiveTypeError("unterminated quoted name", text, i);
      tokens.push({ kind: "quoted", text: quoted.value, at: i });
      i = quoted.next;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let s = "";
      while (j < text.length && text[j] !== c) {
        if (text[j] === "\\" && j + 1 < text.length) j++;
        s += text[j];
        j++;
      }
      if (j >= text.length) throw new HiveTypeError("unterminated comment string", text, i);
      tokens.push({ kind: "string", text: s, at: i });
      i = j + 1;
      continue;
    }
    const m = /^[\p{L}\p{N}_.$]+/u.exec(text.slice(i));
    if (m === null) throw new HiveTypeError(`unexpected character '${c}'`, text, i);
    tokens.push({ kind: /^\d+$/.test(m[0]) ? "number" : "word", text: m[0], at: i });
    i += m[0].length;
  }
  return tokens;
}

class Parser {
  #pos = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  /** The next unread token, if any. */
  get next(): Token | undefined {
    return this.tokens[this.#pos];
  }

  #peek(): Token | undefined {
    return this.tokens[this.#pos];
  }

  #fail(message: string, token = this.#peek()): never {
    throw new HiveTypeError(message, this.text, token?.at ?? this.text.length);
  }

  #expect(punct: string): void {
    const t = this.#peek();
    if (t?.kind !== "punct" || t.text !== punct) this.#fail(t === undefined ? `expected '${punct}' but the type ended` : `expected '${punct}' but found '${t.text}'`);
    this.#pos++;
  }

  #accept(punct: string): boolean {
    const t = this.#peek();
    if (t?.kind === "punct" && t.text === punct) {
      this.#pos++;
      return true;
    }
    return false;
  }

  #number(what: string): number {
    const t = this.#peek();
    if (t?.kind !== "number") this.#fail(`expected ${what}`);
    this.#pos++;
    return Number(t.text);
  }

  type(): HiveType {
    const t = this.#peek();
    if (t === undefined) this.#fail("expected a type but the text ended");
    if (t.kind !== "word") this.#fail(`expected a type name but found '${t.text}'`);
    this.#pos++;
    const name = t.text.toLowerCase();
    const primitive = PRIMITIVE_ALIASES[name];
    if (primitive !== undefined) {
      // "double precision" is Hive's long spelling of double.
      const next = this.#peek();
      if (primitive === "double" && next?.kind === "word" && next.text.toLowerCase() === "precision") this.#pos++;
      return { kind: "primitive", name: primitive };
    }
    switch (name) {
      case "decimal":
      case "numeric": {
        // decimal alone is decimal(10,0); decimal(p) has scale 0 (Hive's defaults).
        let precision = 10;
        let scale = 0;
        if (this.#accept("(")) {
          precision = this.#number("a decimal precision");
          if (this.#accept(",")) scale = this.#number("a decimal scale");
          this.#expect(")");
        }
        if (precision < 1 || precision > HIVE_LIMITS.maxDecimalPrecision) this.#fail(`decimal precision must be between 1 and ${HIVE_LIMITS.maxDecimalPrecision}`, t);
        if (scale > precision) this.#fail("decimal scale must not exceed its precision", t);
        return { kind: "decimal", precision, scale };
      }
      case "varchar":
      case "char": {
        this.#expect("(");
        const length = this.#number(`a ${name} length`);
        this.#expect(")");
        const max = name === "varchar" ? HIVE_LIMITS.maxVarcharLength : HIVE_LIMITS.maxCharLength;
        if (length < 1 || length > max) this.#fail(`${name} length must be between 1 and ${max}`, t);
        return { kind: name, length };
      }
      case "array": {
        this.#expect("<");
        const element = this.type();
        this.#expect(">");
        return { kind: "array", element };
      }
      case "map": {
        this.#expect("<");
        const key = this.type();
        this.#expect(",");
        const value = this.type();
        this.#expect(">");
        return { kind: "map", key, value };
      }
      case "struct": {
        this.#expect("<");
        const fields: HiveStructField[] = [];
        const seen = new Set<string>();
        if (!this.#accept(">")) {
          do {
            const f = this.#peek();
            if (f === undefined || (f.kind !== "word" && f.kind !== "quoted" && f.kind !== "number")) this.#fail("expected a struct field name");
            this.#pos++;
            const fieldName = f.text;
            if (seen.has(fieldName.toLowerCase())) this.#fail(`duplicate struct field '${fieldName}'`, f);
            seen.add(fieldName.toLowerCase());
            this.#expect(":");
            const type = this.type();
            const c = this.#peek();
            if (c?.kind === "word" && c.text.toLowerCase() === "comment") {
              this.#pos++;
              const s = this.#peek();
              if (s?.kind !== "string") this.#fail("expected a quoted comment");
              this.#pos++;
              fields.push({ name: fieldName, type, comment: s.text });
            } else fields.push({ name: fieldName, type });
          } while (this.#accept(","));
          this.#expect(">");
        }
        return { kind: "struct", fields };
      }
      case "uniontype": {
        this.#expect("<");
        const members: HiveType[] = [this.type()];
        while (this.#accept(",")) members.push(this.type());
        this.#expect(">");
        return { kind: "uniontype", members };
      }
      default:
        this.#fail(`unknown type '${t.text}'`, t);
    }
  }
}

/** Parses a Hive type string; throws HiveTypeError for anything Hive would refuse. */
export function parseHiveType(text: string): HiveType {
  const tokens = tokenize(text);
  const parser = new Parser(text, tokens);
  const type = parser.type();
  const rest = parser.next;
  if (rest !== undefined) throw new HiveTypeError(`unexpected '${rest.text}' after the type`, text, rest.at);
  return type;
}

function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : "`" + name.replace(/`/g, "``") + "`";
}

/** The canonical spelling of a type (lower case, no spaces), as Hive prints type names. */
export function formatHiveType(type: HiveType): string {
  switch (type.kind) {
    case "primitive":
      return type.name;
    case "decimal":
      return `decimal(${type.precision},${type.scale})`;
    case "varchar":
    case "char":
      return `${type.kind}(${type.length})`;
    case "array":
      return `array<${formatHiveType(type.element)}>`;
    case "map":
      return `map<${formatHiveType(type.key)},${formatHiveType(type.value)}>`;
    case "struct":
      return `struct<${type.fields.map((f) => `${quoteName(f.name)}:${formatHiveType(f.type)}`).join(",")}>`;
    case "uniontype":
      return `uniontype<${type.members.map(formatHiveType).join(",")}>`;
  }
}
