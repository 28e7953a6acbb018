import type http from "node:http";
import type http2 from "node:http2";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ServiceResponse } from "./service.js";

type Res = http.ServerResponse | http2.Http2ServerResponse;

// Connection-specific headers are forbidden in HTTP/2 (RFC 9113 section 8.2.2).
const H2_FORBIDDEN = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"]);

/** Writes a service's answer, streaming a Readable body with back-pressure. */
export async function writeResponse(res: Res, response: ServiceResponse, isHead: boolean, isH2: boolean): Promise<void> {
  const headers = response.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (isH2 && H2_FORBIDDEN.has(name.toLowerCase())) continue;
    res.setHeader(name, typeof value === "number" ? String(value) : (value as string | string[]));
  }
  res.statusCode = response.status;
  const body = response.body;
  if (body === undefined || isHead) {
    if (body instanceof Readable) body.destroy();
    if (!isHead && !res.hasHeader("content-length") && response.status !== 204 && response.status !== 304) {
      res.setHeader("content-length", "0");
    }
    res.end();
    return;
  }
  if (typeof body === "string" || body instanceof Uint8Array) {
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    if (!res.hasHeader("content-length")) res.setHeader("content-length", String(bytes.byteLength));
    res.end(bytes);
    return;
  }
  await pipeline(body, res as NodeJS.WritableStream);
}
