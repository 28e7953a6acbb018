// How the server hands S3 request bodies to the service: a small signed body (<= 64 KiB) read
// whole and checked once; a larger one streamed through as it arrives, so an object of up to
// 5 GiB is never held in memory, whatever its payload hash. The real S3 service behind the real
// dispatcher, with a tap in front of the service that sees each body's bytes as the service does.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Transform } from "node:stream";
import { test } from "node:test";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { parseConfig } from "../../src/server/config.js";
import { createDispatcher } from "../../src/server/dispatch.js";
import { createListener } from "../../src/server/listener.js";
import type { Service, ServiceRequest } from "../../src/server/service.js";
import { WHOLE_BODY_MAX_BYTES } from "../../src/server/whole-body.js";
import { createS3Service } from "../../src/services/s3/service.js";
import { createSqliteIdentityStore } from "../../src/storage/identity/sqlite-identity-store.js";
import { systemClock } from "../../src/util/clock.js";
import { createLogger } from "../../src/util/logger.js";
import type { RunningServer } from "../helpers/server.js";
import { sha256Hex, signRequest } from "../helpers/signed-requests.js";

interface Seen {
  /** The body came as `wholeBody`, read and checked before the service saw it. */
  readonly whole: boolean;
  /** Bytes of the body the service has been handed so far. */
  bytes: number;
}

/** The real S3 service behind the real dispatcher on a free port, with a tap on each PUT's body. */
async function startTapped(t: test.TestContext): Promise<{ port: number; seen: Map<string, Seen> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "streamlake-body-streaming-"));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = parseConfig({ "data-dir": dataDir, port: "0" }, {});
  const logger = createLogger("silent");
  const identities = createSqliteIdentityStore(join(dataDir, "identity.db"));
  identities.putAccessKey({
    accessKeyId: config.rootAccessKeyId,
    secretAccessKey: config.rootSecretAccessKey,
    accountId: config.accountId,
    principalArn: `arn:aws:iam::${config.accountId}:root`,
    status: "Active",
    createdAt: Date.now(),
  });
  const s3 = createS3Service({ config, clock: systemClock, logger, accessKeys: identities });
  const seen = new Map<string, Seen>();
  const tapped = (req: ServiceRequest): ServiceRequest => {
    if (req.method !== "PUT") return req;
    const entry: Seen = { whole: req.wholeBody !== undefined, bytes: 0 };
    seen.set(req.rawPath, entry);
    if (entry.whole) return req;
    const source = req.body;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        entry.bytes += chunk.length;
        done(null, chunk);
      },
    });
    source.once("error", (err) => tap.destroy(err));
    source.pipe(tap);
    return { ...req, body: tap, trailers: req.trailers };
  };
  const service: Service = Object.create(s3, {
    handle: { value: (req: ServiceRequest, ctx: Parameters<Service["handle"]>[1]) => s3.handle(tapped(req), ctx) },
  }) as Service;
  await s3.start?.();
  const dispatcher = createDispatcher({ config, clock: systemClock, logger, services: [service], identities, shutdown: new AbortController().signal, admin: () => undefined });
  const listener = createListener(dispatcher.handle);
  const port = await listener.listen(0, "127.0.0.1");
  t.after(async () => {
    await listener.close(1_000);
    await s3.stop?.();
    identities.close();
  });
  return { port, seen };
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test("S3 takes a small signed body whole, and hands a larger one on while it is still arriving", async (t) => {
  const { port, seen } = await startTapped(t);
  const client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    // A plain payload hash, no aws-chunked trailer: the shape a small body can be checked whole in.
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  t.after(() => client.destroy());
  await client.send(new CreateBucketCommand({ Bucket: "bodies" }));

  for (const [key, size] of [["small", WHOLE_BODY_MAX_BYTES], ["large", WHOLE_BODY_MAX_BYTES + 1]] as const) {
    const body = Buffer.alloc(size, key);
    await client.send(new PutObjectCommand({ Bucket: "bodies", Key: key, Body: body }));
    const got = await client.send(new GetObjectCommand({ Bucket: "bodies", Key: key }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body, `${key} reads back as written`);
  }
  assert.equal(seen.get("/bodies/small")?.whole, true);
  assert.equal(seen.get("/bodies/large")?.whole, false);

  // A 4 MiB body signed with its sha256 (checked only once it has all arrived): the first half
  // must reach the service before the client sends the second.
  const body = Buffer.alloc(4 * 1024 * 1024, "h");
  const half = body.length / 2;
  const signed = await signRequest({ port } as RunningServer, {
    method: "PUT",
    path: "/bodies/huge",
    headers: { "x-amz-content-sha256": sha256Hex(body), "content-length": String(body.length) },
    body,
  });
  const answered = new Promise<number>((resolve, reject) => {
    const out = http.request({ method: "PUT", host: "127.0.0.1", port, path: signed.path, headers: signed.headers, agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    out.on("error", reject);
    out.write(body.subarray(0, half));
    until("the service has been handed the first half", () => (seen.get("/bodies/huge")?.bytes ?? 0) >= half).then(
      () => out.end(body.subarray(half)),
      (err: unknown) => {
        out.destroy();
        reject(err);
      },
    );
  });
  assert.equal(await answered, 200);
  const got = await client.send(new GetObjectCommand({ Bucket: "bodies", Key: "huge" }));
  assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
});
