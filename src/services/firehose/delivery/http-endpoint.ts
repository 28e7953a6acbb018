import { gzipSync } from "node:zlib";

/**
 * Firehose's HTTP endpoint delivery request and response contract (Firehose developer guide,
 * "Appendix - HTTP Endpoint Delivery Request and Response Specifications").
 */

/** How one staged HTTP delivery is addressed. */
export interface HttpTarget {
  readonly url: string;
  readonly requestId: string;
  readonly accessKey: string | undefined;
  readonly gzip: boolean;
  readonly commonAttributes: Readonly<Record<string, string>>;
  readonly sourceArn: string;
}

/** The request body: `{requestId, timestamp, records: [{data: base64}]}`, uncompressed. */
export function requestBody(requestId: string, timestamp: number, records: readonly Uint8Array[]): Uint8Array {
  const doc = {
    requestId,
    timestamp,
    records: records.map((r) => ({ data: Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString("base64") })),
  };
  return Buffer.from(JSON.stringify(doc), "utf8");
}

/** The records a request body carries (to back them up after a failed delivery). */
export function recordsOfBody(body: Uint8Array): Uint8Array[] {
  const doc = JSON.parse(Buffer.from(body).toString("utf8")) as { records: { data: string }[] };
  return doc.records.map((r) => new Uint8Array(Buffer.from(r.data, "base64")));
}

/** The outcome of one attempt. */
export type HttpOutcome =
  | { readonly ok: true }
  /** `permanent`: a 413, which the service neither retries nor backs up. */
  | { readonly ok: false; readonly permanent: boolean; readonly errorCode: string; readonly errorMessage: string };

/** HTTP endpoints have 3 minutes to answer before the request times out. */
export const HTTP_TIMEOUT_MS = 180_000;

/** Sends one request and judges the answer as the service does. */
export async function sendToEndpoint(target: HttpTarget, body: Uint8Array, signal: AbortSignal, timeoutMs = HTTP_TIMEOUT_MS): Promise<HttpOutcome> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-amz-firehose-protocol-version": "1.0",
    "x-amz-firehose-request-id": target.requestId,
    "x-amz-firehose-source-arn": target.sourceArn,
  };
  if (target.accessKey !== undefined) headers["x-amz-firehose-access-key"] = target.accessKey;
  if (Object.keys(target.commonAttributes).length > 0) headers["x-amz-firehose-common-attributes"] = JSON.stringify({ commonAttributes: target.commonAttributes });
  let payload: Uint8Array = body;
  if (target.gzip) {
    payload = gzipSync(body);
    headers["content-encoding"] = "gzip";
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  let res: Response;
  try {
    res = await fetch(target.url, { method: "POST", headers, body: payload, redirect: "manual", signal: AbortSignal.any([signal, timeout]) });
  } catch (err) {
    const timedOut = timeout.aborted;
    return {
      ok: false,
      permanent: false,
      errorCode: timedOut ? "HttpEndpoint.Timeout" : "HttpEndpoint.RequestFailed",
      errorMessage: timedOut ? "The request to the HTTP endpoint timed out." : `Unable to reach the HTTP endpoint: ${String((err as Error)?.message ?? err)}`,
    };
  }
  const text = await res.text().catch(() => "");
  if (res.status === 413) {
    return { ok: false, permanent: true, errorCode: "HttpEndpoint.PayloadTooLarge", errorMessage: "The HTTP endpoint answered 413 (payload too large)." };
  }
  let doc: { requestId?: unknown; errorMessage?: unknown } | undefined;
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    doc = undefined;
  }
  if (res.status !== 200) {
    const msg = typeof doc?.errorMessage === "string" ? doc.errorMessage : text.slice(0, 8192);
    return { ok: false, permanent: false, errorCode: "HttpEndpoint.ResponseFailure", errorMessage: `The HTTP endpoint answered ${res.status}: ${msg}` };
  }
  // A response that does not follow the format counts as a 500 with no body.
  if (doc === undefined || doc === null || doc.requestId !== target.requestId) {
    return {
      ok: false,
      permanent: false,
      errorCode: "HttpEndpoint.InvalidResponseFromDestination",
      errorMessage: "The response received from the endpoint is invalid: it must be JSON with the request's requestId.",
    };
  }
  return { ok: true };
}
