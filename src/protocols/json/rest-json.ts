import { parseScalarText, parseShape, type ParseOptions } from "./parse-shape.js";
import type { OperationDef, ShapeTable } from "./shape-def.js";
import { toJsonValue } from "./serialize.js";

/**
 * The REST-JSON protocol's request and response binding (Lambda, ...): members travel in the
 * URI, query string, headers, status code or as the raw payload; the rest is a JSON body.
 */

/** A REST operation's compiled route. */
export interface RestRoute {
  readonly operation: string;
  readonly method: string;
  /** Matches the raw path; groups are the labels in `labels` order. */
  readonly pattern: RegExp;
  readonly labels: readonly string[];
}

/** Compiles every operation with an HTTP binding into routes (more specific paths first). */
export function compileRoutes(operations: Readonly<Record<string, OperationDef>>): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const [operation, def] of Object.entries(operations)) {
    if (def.http === undefined) continue;
    const path = def.http.requestUri.split("?")[0]!.replace(/\/$/, "");
    const labels: string[] = [];
    const source = path
      .split("/")
      .map((seg) => {
        const m = /^\{([^}+]+)(\+)?\}$/.exec(seg);
        if (m === null) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        labels.push(m[1]!);
        return m[2] === "+" ? "(.+)" : "([^/]+)";
      })
      .join("/");
    routes.push({ operation, method: def.http.method, pattern: new RegExp(`^${source}/?$`), labels });
  }
  return routes.sort((a, b) => b.pattern.source.length - a.pattern.source.length);
}

/** The route for a request, or undefined. */
export function matchRoute(routes: readonly RestRoute[], method: string, rawPath: string): { route: RestRoute; labels: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(rawPath);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    route.labels.forEach((name, i) => {
      labels[name] = decodeURIComponent(m[i + 1]!);
    });
    return { route, labels };
  }
  return undefined;
}

/** The parts of a request the input binding reads. */
export interface RestRequestParts {
  readonly labels: Readonly<Record<string, string>>;
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes. */
  readonly body: Buffer;
}

/** Builds an operation's input from its bindings and body (a JSON body must parse, or `o.error`). */
export function parseRestInput(inputShape: string, parts: RestRequestParts, o: ParseOptions): Record<string, unknown> {
  const shape = o.shapes[inputShape];
  if (shape === undefined || shape.type !== "structure") throw new Error(`not a structure shape: ${inputShape}`);
  const query = new URLSearchParams(parts.rawQuery);
  let input: Record<string, unknown> = {};
  const payloadShape = shape.payload === undefined ? undefined : o.shapes[shape.members[shape.payload]!];
  if (shape.payload !== undefined && payloadShape?.type === "blob") {
    if (parts.body.length > 0) input[shape.payload] = new Uint8Array(parts.body.buffer, parts.body.byteOffset, parts.body.byteLength);
  } else if (parts.body.length > 0) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(parts.body.toString("utf8"));
    } catch {
      throw o.error("Unable to parse the JSON request body.");
    }
    input = shape.payload !== undefined ? { [shape.payload]: parseShape(decoded, shape.members[shape.payload]!, o) } : parseShape(decoded, inputShape, o);
  }
  for (const [member, binding] of Object.entries(shape.bindings ?? {})) {
    const memberShape = shape.members[member]!;
    let text: string | undefined;
    if (binding.location === "uri") text = parts.labels[binding.name ?? member];
    else if (binding.location === "querystring") text = query.get(binding.name ?? member) ?? undefined;
    else if (binding.location === "header") text = parts.headers[(binding.name ?? member).toLowerCase()];
    if (text !== undefined) input[member] = parseScalarText(text, memberShape, o);
  }
  return input;
}

/** An operation's output bound to the HTTP response. */
export interface RestResponseParts {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array;
}

/** Serializes an output: status and header members out of the body, a blob payload raw. */
export function serializeRestOutput(outputShape: string | undefined, output: Record<string, unknown>, defaultStatus: number, shapes: ShapeTable): RestResponseParts {
  const shape = outputShape === undefined ? undefined : shapes[outputShape];
  if (shape === undefined || shape.type !== "structure") return { status: defaultStatus, headers: {}, body: "" };
  let status = defaultStatus;
  const headers: Record<string, string> = {};
  const bodyFields: Record<string, unknown> = {};
  for (const [member, value] of Object.entries(output)) {
    if (value === undefined) continue;
    const binding = shape.bindings?.[member];
    if (binding?.location === "statusCode") status = value as number;
    else if (binding?.location === "header") headers[(binding.name ?? member).toLowerCase()] = String(value);
    else if (member !== shape.payload) bodyFields[member] = value;
  }
  if (shape.payload !== undefined) {
    const payload = output[shape.payload];
    if (payload instanceof Uint8Array) return { status, headers, body: payload };
    return { status, headers, body: payload === undefined ? "" : JSON.stringify(toJsonValue(payload)) };
  }
  return { status, headers, body: JSON.stringify(toJsonValue(bodyFields)) };
}
