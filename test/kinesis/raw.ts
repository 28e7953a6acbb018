// Hand-made Kinesis requests for the wire-level tests: signed with @smithy/signature-v4 (the
// signer the AWS SDKs use), sent with node:http so the bytes are exactly the ones chosen here.
import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import { HttpRequest } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";
import type { ChecksumConstructor } from "@smithy/types";
import { ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, type RunningServer } from "../helpers/server.js";

class Sha256 {
  readonly #hash;
  constructor(secret?: string | Uint8Array) {
    this.#hash = secret === undefined ? createHash("sha256") : createHmac("sha256", secret);
  }
  update(data: string | Uint8Array): void {
    this.#hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

export interface KinesisCall {
  readonly target: string;
  readonly body: Buffer;
  readonly contentType: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly signingDate?: Date;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Signs and sends one Kinesis request over HTTP/1.1. */
export async function sendKinesis(server: RunningServer, call: KinesisCall): Promise<RawResponse> {
  const url = new URL(server.endpoint);
  const request = new HttpRequest({
    method: "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: "/",
    headers: {
      host: url.host,
      "content-type": call.contentType,
      "x-amz-target": call.target,
      "content-length": String(call.body.length),
    },
    body: call.body,
  });
  const signer = new SignatureV4({
    service: "kinesis",
    region: REGION,
    credentials: { accessKeyId: call.accessKeyId ?? ACCESS_KEY_ID, secretAccessKey: call.secretAccessKey ?? SECRET_ACCESS_KEY },
    sha256: Sha256 as unknown as ChecksumConstructor,
  });
  const signed = await signer.sign(request, call.signingDate === undefined ? {} : { signingDate: call.signingDate });
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: Number(url.port), method: "POST", path: "/", headers: signed.headers as Record<string, string> },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(call.body);
  });
}

/** A JSON 1.1 call; resolves with the status and parsed body. */
export async function jsonCall(server: RunningServer, op: string, input: unknown, extra: Partial<KinesisCall> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: http.IncomingHttpHeaders }> {
  const res = await sendKinesis(server, {
    target: `Kinesis_20131202.${op}`,
    contentType: "application/x-amz-json-1.1",
    body: Buffer.from(JSON.stringify(input)),
    ...extra,
  });
  return { status: res.status, headers: res.headers, body: res.body.length === 0 ? {} : (JSON.parse(res.body.toString()) as Record<string, unknown>) };
}
