import type { Readable } from "node:stream";
import { Pool } from "undici";
import { canonicalQuery, EMPTY_SHA256, sha256Hex, SigV4Signer, UNSIGNED_PAYLOAD, type SigningCredentials } from "./sigv4.js";

/** A server the load generator talks to. */
export interface Endpoint {
  /** http://127.0.0.1:port */
  readonly origin: string;
  /** Credentials the server accepts (unused by servers that do not check). */
  readonly creds: SigningCredentials;
}

/** A non-2xx answer, with the AWS error code when the body or headers name one. */
export class BenchHttpError extends Error {
  override readonly name = "BenchHttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`HTTP ${status} ${code}: ${errorMessage(detail)}`);
  }

  /** True when the server says it does not have this operation or service (reported as n/a). */
  get notImplemented(): boolean {
    if (this.status === 501) return true;
    if (["NotImplemented", "UnknownOperationException", "UnknownOperation", "InvalidAction"].includes(this.code)) return true;
    return /does not implement|not implemented|unknown operation/i.test(this.detail);
  }
}

/** True for an error saying the operation does not exist on this server. */
export function isNotImplemented(err: unknown): boolean {
  return err instanceof BenchHttpError && err.notImplemented;
}

function errorMessage(text: string): string {
  const xml = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  const json = /"message"\s*:\s*"([^"]*)"/i.exec(text)?.[1];
  return (xml ?? json ?? text).slice(0, 300);
}

/** The AWS error code an error answer names (XML Code, x-amzn-errortype, JSON __type), else the status. */
export function errorCode(status: number, headers: Record<string, string | string[] | undefined>, text: string): string {
  const xml = /<Code>([^<]*)<\/Code>/.exec(text);
  if (xml?.[1] !== undefined) return xml[1];
  const amzn = headers["x-amzn-errortype"];
  if (typeof amzn === "string") return amzn.split(":")[0]!.split("#").pop()!;
  const json = /"__type"\s*:\s*"([^"]*)"/.exec(text);
  if (json?.[1] !== undefined) return json[1].split("#").pop()!;
  return String(status);
}

/** One request as the lean client sends it. */
export interface LeanRequest {
  readonly method: "GET" | "PUT" | "POST" | "DELETE" | "HEAD";
  /** Encoded path. */
  readonly path: string;
  readonly query?: readonly (readonly [string, string])[];
  /** Extra headers (lower-case names); all are signed. */
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string | Readable;
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD (default for a stream); computed for buffers when omitted. */
  readonly payloadHash?: string;
  /** What to do with the response body: keep it as text or bytes, or just count its bytes (default). */
  readonly read?: "text" | "buffer" | "count";
  /** Send without an Authorization header (reference servers, ceiling runs). */
  readonly unsigned?: boolean;
}

/** What came back. */
export interface LeanResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The body, when asked for as text. */
  readonly text: string;
  /** The body, when asked for as bytes. */
  readonly data?: Buffer;
  /** Body bytes received. */
  readonly bytes: number;
}

/**
 * A keep-alive connection pool plus a SigV4 signer: the whole client. It does what an SDK
 * does on the wire (sign, send, read) and nothing else, so it stays out of the measurement.
 */
export class LeanClient {
  private readonly pool: Pool;
  private readonly signer: SigV4Signer;
  private readonly host: string;

  constructor(
    readonly endpoint: Endpoint,
    service: string,
    connections: number,
  ) {
    this.pool = new Pool(endpoint.origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: 60_000,
      bodyTimeout: 30_000,
    });
    this.signer = new SigV4Signer(endpoint.creds, service);
    this.host = new URL(endpoint.origin).host;
  }

  async send(req: LeanRequest): Promise<LeanResponse> {
    const headers: Record<string, string> = { host: this.host, ...req.headers };
    const body = req.body;
    if (typeof body === "string" || Buffer.isBuffer(body)) headers["content-length"] = String(Buffer.byteLength(body));
    if (req.unsigned !== true) {
      let payloadHash = req.payloadHash;
      if (payloadHash === undefined) {
        if (body === undefined) payloadHash = EMPTY_SHA256;
        else if (typeof body === "string" || Buffer.isBuffer(body)) payloadHash = sha256Hex(body);
        else payloadHash = UNSIGNED_PAYLOAD;
      }
      this.signer.sign({ method: req.method, path: req.path, query: req.query ?? [], headers, payloadHash });
    }
    const qs = canonicalQuery(req.query);
    const res = await this.pool.request({
      method: req.method,
      path: qs === "" ? req.path : `${req.path}?${qs}`,
      headers,
      body: body ?? null,
    });
    const status = res.statusCode;
    if (status >= 300 || req.read === "text") {
      const text = await res.body.text();
      if (status >= 300) throw new BenchHttpError(status, errorCode(status, res.headers, text), text);
      return { status, headers: res.headers, text, bytes: Buffer.byteLength(text) };
    }
    if (req.read === "buffer") {
      const data = Buffer.from(await res.body.arrayBuffer());
      return { status, headers: res.headers, text: "", data, bytes: data.length };
    }
    let bytes = 0;
    for await (const chunk of res.body) bytes += (chunk as Buffer).length;
    return { status, headers: res.headers, text: "", bytes };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
