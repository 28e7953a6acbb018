import type http from "node:http";
import type http2 from "node:http2";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ServiceResponse } from "./service.js";
import type { ResponseSink } from "../util/response-sink.js";

type Res = http.ServerResponse | http2.Http2ServerResponse;
type OutHeaders = Record<string, string | readonly string[]>;

// Connection-specific headers are forbidden in HTTP/2 (RFC 9113 section 8.2.2).
const H2_FORBIDDEN = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

/**
 * Writes a service's answer, streaming a Readable body with back-pressure. Headers go out in one
 * writeHead (Node stores them straight into the header block when none were set before, instead
 * of a setHeader and a header map entry each). Returns a promise only for a streamed body.
 */
export function writeResponse(res: Res, response: ServiceResponse, isHead: boolean, isH2: boolean): Promise<void> | undefined {
  const status = response.status;
  const body = response.body;
  const headers = response.headers;
  // The usual answer (HTTP/1.1, a whole body, its Content-Length set, string values) needs no
  // copy of its headers: they go to writeHead as they are.
  if (!isH2 && headers !== undefined && (typeof body === "string" || body instanceof Uint8Array) && !isHead && sendableAsIs(headers)) {
    writeHead(res, status, headers as OutHeaders);
    res.end(typeof body === "string" ? Buffer.from(body, "utf8") : body);
    return undefined;
  }
  const out: OutHeaders = {};
  let hasLength = false;
  if (headers !== undefined) {
    for (const name in headers) {
      const value = headers[name]!;
      const lower = name.toLowerCase();
      if (isH2 && H2_FORBIDDEN.has(lower)) continue;
      if (lower === "content-length") hasLength = true;
      out[name] = typeof value === "number" ? String(value) : value;
    }
  }
  hasLength ||= res.hasHeader("content-length");
  if (body === undefined || isHead) {
    if (body instanceof Readable) body.destroy();
    if (!isHead && !hasLength && status !== 204 && status !== 304) out["content-length"] = "0";
    writeHead(res, status, out);
    res.end();
    return undefined;
  }
  if (typeof body === "string" || body instanceof Uint8Array) {
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    if (!hasLength) out["content-length"] = String(bytes.byteLength);
    writeHead(res, status, out);
    res.end(bytes);
    return undefined;
  }
  // A streamed body keeps headers unsent until its first bytes, so a source failing at once
  // still leaves the connection free of a half answer on HTTP/2.
  for (const name in out) res.setHeader(name, out[name] as string | string[]);
  res.statusCode = status;
  if (typeof (body as Partial<SelfWritingBody>).writeTo === "function") return (body as unknown as SelfWritingBody).writeTo(res as unknown as ResponseSink);
  return pipeline(body, res as NodeJS.WritableStream);
}

/**
 * A Readable body that can also write itself to the response, with back-pressure, e.g. to reuse
 * its chunk buffers once each is handed on. The server calls `writeTo` (after the status and
 * headers are set) instead of piping it; the promise settles once the response has finished
 * (rejecting if the response closed early or the body failed).
 */
export interface SelfWritingBody {
  writeTo(res: ResponseSink): Promise<void>;
}

/**
 * True when `headers` can be written as they are: every value a string (or list of strings) and
 * a Content-Length among them (a whole body's; Node must not choose chunked framing).
 */
function sendableAsIs(headers: NonNullable<ServiceResponse["headers"]>): boolean {
  let hasLength = false;
  for (const name in headers) {
    if (typeof headers[name] === "number") return false;
    // Only a 14-character name can be Content-Length: most names are not lower-cased at all.
    if (name.length === 14 && !hasLength) hasLength = name.toLowerCase() === "content-length";
  }
  return hasLength;
}

function writeHead(res: Res, status: number, headers: OutHeaders): void {
  // Both response classes take (status, headers); their union's overloads do not line up for tsc.
  (res as http.ServerResponse).writeHead(status, headers as http.OutgoingHttpHeaders);
}
