// Hand-made Kinesis requests for the wire-level tests, through the shared signed-request helper
// (test/helpers/signed-requests.ts) so the bytes on the wire are exactly the ones chosen here.
import type { RunningServer } from "../helpers/server.js";
import { signedRequest, type RawResponse } from "../helpers/signed-requests.js";

export type { RawResponse };

export interface KinesisCall {
  readonly target: string;
  readonly body: Buffer;
  readonly contentType: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly signingDate?: Date;
}

/** Signs (for "kinesis") and sends one Kinesis request over HTTP/1.1. */
export function sendKinesis(server: RunningServer, call: KinesisCall): Promise<RawResponse> {
  const { accessKeyId, secretAccessKey, signingDate } = call;
  return signedRequest(
    server,
    { method: "POST", path: "/", headers: { "content-type": call.contentType, "x-amz-target": call.target }, body: call.body },
    { service: "kinesis", accessKeyId, secretAccessKey, signingDate },
  );
}

/** A JSON 1.1 call; resolves with the status and parsed body. */
export async function jsonCall(server: RunningServer, op: string, input: unknown, extra: Partial<KinesisCall> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: RawResponse["headers"] }> {
  const res = await sendKinesis(server, {
    target: `Kinesis_20131202.${op}`,
    contentType: "application/x-amz-json-1.1",
    body: Buffer.from(JSON.stringify(input)),
    ...extra,
  });
  return { status: res.status, headers: res.headers, body: res.body.length === 0 ? {} : (JSON.parse(res.body.toString()) as Record<string, unknown>) };
}
