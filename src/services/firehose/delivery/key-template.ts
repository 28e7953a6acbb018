import { randomUUID } from "node:crypto";
import { checkDatePattern, formatDate, type DateFormatError } from "./date-format.js";

/**
 * S3 object keys as Firehose writes them: `<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><ext>`,
 * prefixes with `!{namespace:value}` expressions (Firehose developer guide, "Custom Prefixes for
 * Amazon S3 Objects", and "Amazon S3 Object Name Format").
 */

export type PrefixPart =
  | { readonly text: string }
  | { readonly ns: "timestamp"; readonly value: string }
  | { readonly ns: "firehose"; readonly value: "random-string" | "error-output-type" }
  | { readonly ns: "partitionKeyFromQuery" | "partitionKeyFromLambda"; readonly value: string };

/** A prefix the service would refuse (CreateDeliveryStream answers InvalidArgumentException). */
export class PrefixError extends Error {
  override readonly name = "PrefixError";
}

const NAMESPACES = new Set(["timestamp", "firehose", "partitionKeyFromQuery", "partitionKeyFromLambda"]);

/** Splits a prefix into literal text and expressions. */
export function parsePrefix(prefix: string): PrefixPart[] {
  const parts: PrefixPart[] = [];
  let i = 0;
  while (i < prefix.length) {
    const start = prefix.indexOf("!{", i);
    if (start === -1) {
      parts.push({ text: prefix.slice(i) });
      break;
    }
    if (start > i) parts.push({ text: prefix.slice(i, start) });
    const end = prefix.indexOf("}", start);
    if (end === -1) throw new PrefixError(`The expression starting at position ${start} of prefix "${prefix}" is not terminated with '}'.`);
    const body = prefix.slice(start + 2, end);
    const colon = body.indexOf(":");
    const ns = colon === -1 ? body : body.slice(0, colon);
    const value = colon === -1 ? "" : body.slice(colon + 1);
    // The sequence "!{" can only appear in !{namespace:value} expressions (semantic rules).
    if (!NAMESPACES.has(ns) || value === "" || value.includes("!{")) throw new PrefixError(`The expression "!{${body}}" in prefix "${prefix}" is invalid.`);
    if (ns === "timestamp") {
      try {
        checkDatePattern(value);
      } catch (err) {
        throw new PrefixError(`The timestamp expression "${value}" is not a valid DateTimeFormatter pattern: ${(err as DateFormatError).message}`);
      }
      parts.push({ ns, value });
    } else if (ns === "firehose") {
      if (value !== "random-string" && value !== "error-output-type") throw new PrefixError(`The expression "!{${body}}" in prefix "${prefix}" is invalid.`);
      parts.push({ ns, value });
    } else {
      parts.push({ ns: ns as "partitionKeyFromQuery" | "partitionKeyFromLambda", value });
    }
    i = end + 1;
  }
  return parts;
}

const hasExpressions = (parts: readonly PrefixPart[]): boolean => parts.some((p) => "ns" in p);
const DEFAULT_TIME: PrefixPart = { ns: "timestamp", value: "yyyy/MM/dd/HH/" };

/** A destination's main and error prefixes, defaults applied. */
export interface PrefixPlan {
  readonly main: readonly PrefixPart[];
  readonly error: readonly PrefixPart[];
}

/**
 * Applies the semantic rules: a prefix without a timestamp (or partition key) expression gets
 * `!{timestamp:yyyy/MM/dd/HH/}` appended; ErrorOutputPrefix may be absent only when Prefix has
 * no expressions, and then is `<prefix><error-output-type>/yyyy/MM/dd/HH/`; an ErrorOutputPrefix
 * with expressions must use `!{firehose:error-output-type}`; Prefix may not.
 */
export function planPrefixes(prefix: string | undefined, errorPrefix: string | undefined, opts: { dynamicPartitioning: boolean }): PrefixPlan {
  const main = parsePrefix(prefix ?? "");
  if (main.some((p) => "ns" in p && p.ns === "firehose" && p.value === "error-output-type")) {
    throw new PrefixError("The Prefix cannot contain the expression !{firehose:error-output-type}; use it in ErrorOutputPrefix.");
  }
  const usesKeys = main.some((p) => "ns" in p && (p.ns === "partitionKeyFromQuery" || p.ns === "partitionKeyFromLambda"));
  if (usesKeys && !opts.dynamicPartitioning) {
    throw new PrefixError("Prefix expressions partitionKeyFromQuery and partitionKeyFromLambda require dynamic partitioning to be enabled.");
  }
  if (opts.dynamicPartitioning && !usesKeys) {
    throw new PrefixError("When dynamic partitioning is enabled, the Prefix must contain at least one partitionKeyFromQuery or partitionKeyFromLambda expression.");
  }
  const hasTime = main.some((p) => "ns" in p && p.ns === "timestamp");
  const mainPlan = hasTime || usesKeys ? main : [...main, DEFAULT_TIME];
  if (errorPrefix === undefined || errorPrefix === "") {
    if (hasExpressions(main) || opts.dynamicPartitioning) {
      throw new PrefixError("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions or dynamic partitioning is enabled.");
    }
    return { main: mainPlan, error: [...main, { ns: "firehose", value: "error-output-type" }, { text: "/" }, DEFAULT_TIME] };
  }
  const error = parsePrefix(errorPrefix);
  if (error.some((p) => "ns" in p && (p.ns === "partitionKeyFromQuery" || p.ns === "partitionKeyFromLambda"))) {
    throw new PrefixError("ErrorOutputPrefix cannot contain partitionKeyFromQuery or partitionKeyFromLambda expressions.");
  }
  if (!hasExpressions(error)) return { main: mainPlan, error: [...error, { ns: "firehose", value: "error-output-type" }, { text: "/" }, DEFAULT_TIME] };
  if (!error.some((p) => "ns" in p && p.ns === "firehose" && p.value === "error-output-type")) {
    throw new PrefixError("ErrorOutputPrefix with expressions must contain at least one instance of !{firehose:error-output-type}.");
  }
  return { main: mainPlan, error };
}

/** The names of the partition keys a prefix uses, by namespace. */
export function partitionKeysUsed(parts: readonly PrefixPart[]): { query: string[]; lambda: string[] } {
  const query: string[] = [];
  const lambda: string[] = [];
  for (const p of parts) {
    if ("ns" in p && p.ns === "partitionKeyFromQuery") query.push(p.value);
    if ("ns" in p && p.ns === "partitionKeyFromLambda") lambda.push(p.value);
  }
  return { query, lambda };
}

/** What an expression can refer to when a prefix is evaluated. */
export interface PrefixContext {
  /** Arrival time of the oldest record in the object (ms). */
  readonly timestamp: number;
  /** CustomTimeZone, or "UTC". */
  readonly timeZone: string;
  readonly errorOutputType?: string;
  readonly queryKeys?: Readonly<Record<string, string>>;
  readonly lambdaKeys?: Readonly<Record<string, string>>;
  /** 11 random characters; every use gets a new string (semantic rules). */
  readonly randomString?: () => string;
}

/** Thrown when a record lacks a partition key its prefix needs. */
export class MissingPartitionKeyError extends Error {
  override readonly name = "MissingPartitionKeyError";
}

/** Evaluates a planned prefix. */
export function evaluatePrefix(parts: readonly PrefixPart[], ctx: PrefixContext): string {
  return parts
    .map((p) => {
      if ("text" in p) return p.text;
      switch (p.ns) {
        case "timestamp":
          return formatDate(p.value, ctx.timestamp, ctx.timeZone);
        case "firehose":
          return p.value === "error-output-type" ? (ctx.errorOutputType ?? "") : (ctx.randomString ?? randomString)();
        case "partitionKeyFromQuery":
        case "partitionKeyFromLambda": {
          const v = (p.ns === "partitionKeyFromQuery" ? ctx.queryKeys : ctx.lambdaKeys)?.[p.value];
          if (v === undefined) throw new MissingPartitionKeyError(`${p.ns}:${p.value}`);
          return v;
        }
      }
    })
    .join("");
}

/** Firehose's random-string: 11 characters (the docs' samples are the start of a UUID, e.g. 046b6c7f-0b). */
export function randomString(): string {
  return randomUUID().slice(0, 11);
}

/** The object name after the prefix: `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><ext>`. */
export function objectName(stream: string, version: number, timestamp: number, timeZone: string, uuid: string, extension: string): string {
  return `${stream}-${version}-${formatDate("yyyy-MM-dd-HH-mm-ss", timestamp, timeZone)}-${uuid}${extension}`;
}
