import { parquetWriteBuffer } from "hyparquet-writer";
import { gzipSync } from "node:zlib";
import { parseHiveType, type HiveType } from "../../glue/hive-types.js";

/**
 * JSON records -> Apache Parquet with a Glue table's schema, as Firehose's record format
 * conversion does (Firehose developer guide, "Converting Input Record Format"): each record is
 * deserialized by the OpenX or Hive JSON SerDe rules against the table's columns; a record that
 * does not fit is set aside with the reason, to go to the error prefix.
 */

/** A table column as Glue stores it. */
export interface TableColumn {
  readonly name: string;
  /** Hive type text, e.g. `array<struct<a:int>>`. */
  readonly type: string;
}

/** Deserializer options (InputFormatConfiguration.Deserializer). */
export interface JsonSerDeOptions {
  readonly kind: "openx" | "hive";
  /** OpenX: match JSON keys ignoring case (default true). */
  readonly caseInsensitive: boolean;
  /** OpenX: column name -> JSON key. */
  readonly columnToJsonKeyMappings: Readonly<Record<string, string>>;
  /** OpenX: `a.b` keys are read as `a_b`. */
  readonly convertDotsInJsonKeysToUnderscores: boolean;
  /** Hive: timestamp formats (Joda patterns or "millis"); ISO 8601 and epoch numbers are always read. */
  readonly timestampFormats: readonly string[];
}

export const DEFAULT_SERDE: JsonSerDeOptions = {
  kind: "openx",
  caseInsensitive: true,
  columnToJsonKeyMappings: {},
  convertDotsInJsonKeysToUnderscores: false,
  timestampFormats: [],
};

/** A record the schema refused. */
export class SchemaMismatchError extends Error {
  override readonly name = "SchemaMismatchError";
}

interface SchemaElement {
  name: string;
  type?: "BOOLEAN" | "INT32" | "INT64" | "FLOAT" | "DOUBLE" | "BYTE_ARRAY" | "FIXED_LEN_BYTE_ARRAY";
  type_length?: number;
  repetition_type?: "REQUIRED" | "OPTIONAL" | "REPEATED";
  num_children?: number;
  converted_type?: "UTF8" | "MAP" | "LIST" | "DECIMAL" | "DATE" | "TIMESTAMP_MILLIS" | "INT_8" | "INT_16";
  scale?: number;
  precision?: number;
}

/** Parquet schema elements (depth-first, as the file footer lists them) for one Hive-typed field. */
export function parquetElements(name: string, type: HiveType, repetition: "OPTIONAL" | "REQUIRED" = "OPTIONAL"): SchemaElement[] {
  const leaf = (e: Omit<SchemaElement, "name" | "repetition_type">): SchemaElement[] => [{ name, repetition_type: repetition, ...e }];
  switch (type.kind) {
    case "primitive":
      switch (type.name) {
        case "string":
          return leaf({ type: "BYTE_ARRAY", converted_type: "UTF8" });
        case "tinyint":
          return leaf({ type: "INT32", converted_type: "INT_8" });
        case "smallint":
          return leaf({ type: "INT32", converted_type: "INT_16" });
        case "int":
          return leaf({ type: "INT32" });
        case "bigint":
          return leaf({ type: "INT64" });
        case "float":
          return leaf({ type: "FLOAT" });
        case "double":
          return leaf({ type: "DOUBLE" });
        case "boolean":
          return leaf({ type: "BOOLEAN" });
        case "timestamp":
          return leaf({ type: "INT64", converted_type: "TIMESTAMP_MILLIS" });
        case "date":
          return leaf({ type: "INT32", converted_type: "DATE" });
        case "binary":
          return leaf({ type: "BYTE_ARRAY" });
      }
      break;
    case "varchar":
    case "char":
      return leaf({ type: "BYTE_ARRAY", converted_type: "UTF8" });
    case "decimal":
      if (type.precision <= 9) return leaf({ type: "INT32", converted_type: "DECIMAL", precision: type.precision, scale: type.scale });
      if (type.precision <= 18) return leaf({ type: "INT64", converted_type: "DECIMAL", precision: type.precision, scale: type.scale });
      return leaf({ type: "FIXED_LEN_BYTE_ARRAY", type_length: 16, converted_type: "DECIMAL", precision: type.precision, scale: type.scale });
    case "array":
      return [
        { name, repetition_type: repetition, converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        ...parquetElements("element", type.element),
      ];
    case "map":
      return [
        { name, repetition_type: repetition, converted_type: "MAP", num_children: 1 },
        { name: "key_value", repetition_type: "REPEATED", num_children: 2 },
        ...parquetElements("key", type.key, "REQUIRED"),
        ...parquetElements("value", type.value),
      ];
    case "struct":
      return [{ name, repetition_type: repetition, num_children: type.fields.length }, ...type.fields.flatMap((f) => parquetElements(f.name.toLowerCase(), f.type))];
    case "uniontype":
      throw new SchemaMismatchError(`The Hive type uniontype of column ${name} has no Parquet equivalent.`);
  }
  throw new SchemaMismatchError(`Unsupported type for column ${name}`);
}

const INT_RANGES: Record<string, readonly [number, number]> = {
  tinyint: [-128, 127],
  smallint: [-32768, 32767],
  int: [-2147483648, 2147483647],
};

function describe(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 64 ? `${s.slice(0, 61)}...` : s;
}

function parseTimestamp(v: unknown, path: string): bigint {
  if (typeof v === "number" && Number.isFinite(v)) {
    // Epoch numbers: seconds, or milliseconds when too large to be seconds (beyond year 5138).
    return BigInt(Math.round(Math.abs(v) < 1e11 ? v * 1000 : v));
  }
  if (typeof v === "string") {
    const t = v.trim();
    if (/^-?\d+$/.test(t)) return BigInt(Math.abs(Number(t)) < 1e11 ? Number(t) * 1000 : Number(t));
    // Hive's default text form "yyyy-MM-dd HH:mm:ss[.fff]" is read as UTC.
    const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t) ? `${t.replace(" ", "T")}Z` : t;
    const ms = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) || !/T/.test(iso) ? iso : `${iso}Z`);
    if (!Number.isNaN(ms)) return BigInt(ms);
  }
  throw new SchemaMismatchError(`Cannot convert ${describe(v)} to timestamp at ${path}`);
}

function toDecimal(v: unknown, precision: number, scale: number, path: string): bigint {
  const text = typeof v === "number" ? (Number.isFinite(v) ? v.toFixed(Math.min(20, scale + 6)) : "") : typeof v === "string" ? v.trim() : "";
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (m === null || (m[2] === "" && (m[3] ?? "") === "")) throw new SchemaMismatchError(`Cannot convert ${describe(v)} to decimal(${precision},${scale}) at ${path}`);
  const frac = (m[3] ?? "").padEnd(scale, "0");
  const kept = frac.slice(0, scale);
  let unscaled = BigInt((m[2] || "0") + kept);
  // Round half up on the first dropped digit, as HiveDecimal does.
  if ((frac[scale] ?? "0") >= "5") unscaled += 1n;
  const digits = unscaled.toString().replace(/^0+/, "").length;
  if (digits > precision) throw new SchemaMismatchError(`Value ${describe(v)} does not fit decimal(${precision},${scale}) at ${path}`);
  return m[1] === "-" ? -unscaled : unscaled;
}

/** Converts one JSON value to the column value the Parquet writer takes for `type`. */
export function convertValue(v: unknown, type: HiveType, path: string, serde: JsonSerDeOptions): unknown {
  if (v === null || v === undefined) return null;
  const fail = (what: string): never => {
    throw new SchemaMismatchError(`Cannot convert ${describe(v)} to ${what} at ${path}`);
  };
  switch (type.kind) {
    case "primitive":
      switch (type.name) {
        case "string":
          return typeof v === "string" ? v : JSON.stringify(v);
        case "tinyint":
        case "smallint":
        case "int":
        case "bigint": {
          const text = typeof v === "number" ? String(v) : typeof v === "string" ? v.trim() : "";
          if (!/^[+-]?\d+$/.test(text)) fail(type.name);
          const n = BigInt(text);
          if (type.name === "bigint") {
            if (n < -(2n ** 63n) || n >= 2n ** 63n) fail(type.name);
            return n;
          }
          const [lo, hi] = INT_RANGES[type.name]!;
          if (n < BigInt(lo) || n > BigInt(hi)) fail(type.name);
          return Number(n);
        }
        case "float":
        case "double": {
          const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
          if (Number.isNaN(n)) fail(type.name);
          return n;
        }
        case "boolean":
          if (typeof v === "boolean") return v;
          if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
          return fail("boolean");
        case "timestamp":
          return parseTimestamp(v, path);
        case "date": {
          const ms = typeof v === "string" && /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v.slice(0, 10) + "T00:00:00Z") : NaN;
          if (Number.isNaN(ms)) fail("date");
          return Math.floor(ms / 86_400_000);
        }
        case "binary":
          if (typeof v !== "string") fail("binary");
          return new Uint8Array(Buffer.from(v as string, "utf8"));
      }
      break;
    case "varchar":
    case "char": {
      const s = typeof v === "string" ? v : JSON.stringify(v);
      return s.slice(0, type.length);
    }
    case "decimal":
      return toDecimal(v, type.precision, type.scale, path);
    case "array":
      if (!Array.isArray(v)) fail("array");
      return (v as unknown[]).map((e, i) => convertValue(e, type.element, `${path}[${i}]`, serde));
    case "map": {
      if (typeof v !== "object" || Array.isArray(v)) fail("map");
      const out: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
        convertValue(k, type.key, `${path}.key`, serde);
        out[k] = convertValue(val, type.value, `${path}.${k}`, serde);
      }
      return out;
    }
    case "struct": {
      if (typeof v !== "object" || Array.isArray(v)) fail("struct");
      const src = v as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of type.fields) out[f.name.toLowerCase()] = convertValue(lookup(src, f.name, serde), f.type, `${path}.${f.name}`, serde);
      return out;
    }
    case "uniontype":
      return fail("uniontype");
  }
  return fail("the column type");
}

/** Finds a column's value in a JSON object under the SerDe's key rules. */
function lookup(obj: Record<string, unknown>, column: string, serde: JsonSerDeOptions): unknown {
  const mapped = serde.columnToJsonKeyMappings[column];
  if (mapped !== undefined) return obj[mapped];
  if (column in obj) return obj[column];
  const norm = (k: string): string => {
    const u = serde.kind === "openx" && serde.convertDotsInJsonKeysToUnderscores ? k.replace(/\./g, "_") : k;
    return serde.kind === "hive" || serde.caseInsensitive ? u.toLowerCase() : u;
  };
  const want = norm(column);
  for (const [k, val] of Object.entries(obj)) if (norm(k) === want) return val;
  return undefined;
}

/** A compiled table schema: the Hive types of its columns and the Parquet schema they make. */
export interface ParquetPlan {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: HiveType }>;
  readonly schema: readonly SchemaElement[];
}

/** Builds the plan for a table's columns (throws SchemaMismatchError for types Parquet cannot hold). */
export function planParquet(columns: readonly TableColumn[]): ParquetPlan {
  const parsed = columns.map((c) => ({ name: c.name.toLowerCase(), type: parseHiveType(c.type) }));
  const schema: SchemaElement[] = [{ name: "hive_schema", num_children: parsed.length }, ...parsed.flatMap((c) => parquetElements(c.name, c.type))];
  return { columns: parsed, schema };
}

/** One record's row, or why it does not fit. */
export function recordToRow(plan: ParquetPlan, data: Uint8Array, serde: JsonSerDeOptions): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"));
  } catch (err) {
    throw new SchemaMismatchError(`The record is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new SchemaMismatchError("The record is not a JSON object.");
  return plan.columns.map((c) => convertValue(lookup(parsed as Record<string, unknown>, c.name, serde), c.type, c.name, serde));
}

/** ParquetSerDe.Compression (default SNAPPY). */
export type ParquetCompression = "UNCOMPRESSED" | "GZIP" | "SNAPPY";

/** Writes rows (from recordToRow) as one Parquet file. */
export function writeParquet(plan: ParquetPlan, rows: readonly unknown[][], options: { compression: ParquetCompression; pageSizeBytes?: number }): Uint8Array {
  const columnData = plan.columns.map((c, i) => ({ name: c.name, data: rows.map((r) => r[i]) }));
  const buf = parquetWriteBuffer({
    columnData,
    schema: plan.schema as never,
    codec: options.compression,
    compressors: { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)) },
    ...(options.pageSizeBytes === undefined ? {} : { pageSize: options.pageSizeBytes }),
    createdBy: "streamlake firehose (hyparquet-writer)",
  } as never);
  return new Uint8Array(buf);
}
