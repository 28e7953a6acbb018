// Large GETs end to end: blob bytes go from the read buffers straight to the socket, each buffer
// read into again only once the socket is done with it. Concurrent GETs, a reader that stalls,
// and clients that go away mid-download must never see (or cause) another answer's bytes.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { RunningServer } from "../helpers/server.js";
import { signRequest } from "../helpers/signed-requests.js";
import { bodyBytes, s3Client, withServerAndBucket } from "./objects-support.js";

let server: RunningServer;
let s3: S3Client;
const BUCKET = "large-get";
const MiB = 1 << 20;
const objects: Record<string, Buffer> = { a: randomBytes(9 * MiB + 777), b: randomBytes(6 * MiB + 5), c: randomBytes(2 * MiB) };
/** Parts of the multipart object "m" (every part but the last at least 5 MiB, as S3 requires). */
const mParts = [randomBytes(5 * MiB), randomBytes(5 * MiB + 4097), randomBytes(MiB + 3)];
objects["m"] = Buffer.concat(mParts);

withServerAndBucket(BUCKET, (env) => ({ server, s3 } = env));

async function get(key: string, range?: string, partNumber?: number): Promise<Buffer> {
  const out = await s3.send(
    new GetObjectCommand({ Bucket: BUCKET, Key: key, ...(range === undefined ? {} : { Range: range }), ...(partNumber === undefined ? {} : { PartNumber: partNumber }) }),
  );
  return bodyBytes(out.Body);
}

/** A signed GET on a connection of its own that reads `bytes` bytes and then stops reading (the socket stays open). */
async function stalledGet(key: string, bytes: number): Promise<{ received: Buffer; res: http.IncomingMessage; req: http.ClientRequest }> {
  const signed = await signRequest(server, { method: "GET", path: `/${BUCKET}/${key}` });
  return new Promise((resolve, reject) => {
    const req = http.request({ method: "GET", host: "127.0.0.1", port: server.port, path: signed.path, headers: signed.headers, agent: false }, (res) => {
      const got: Buffer[] = [];
      let n = 0;
      const onData = (chunk: Buffer): void => {
        got.push(chunk);
        n += chunk.length;
        if (n < bytes) return;
        res.pause();
        res.removeListener("data", onData);
        resolve({ received: Buffer.concat(got), res, req });
      };
      res.on("data", onData);
      res.once("error", reject);
    });
    req.once("error", reject);
    req.end();
  });
}

describe("large GETs", () => {
  test("objects go up", async () => {
    for (const key of ["a", "b", "c"]) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: objects[key]! }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "m" }));
    const Parts = [];
    for (const [i, body] of mParts.entries()) {
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: "m", UploadId, PartNumber: i + 1, Body: body }));
      Parts.push({ ETag, PartNumber: i + 1 });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: "m", UploadId, MultipartUpload: { Parts } }));
  });

  test("a multipart object reads across its parts: whole, ranges over part boundaries, a part by number, concurrently", async () => {
    const m = objects["m"]!;
    const cases: [string | undefined, number | undefined, Buffer][] = [
      [undefined, undefined, m],
      [`bytes=${5 * MiB - 5}-${10 * MiB + 4100}`, undefined, m.subarray(5 * MiB - 5, 10 * MiB + 4101)],
      [`bytes=${5 * MiB}-`, undefined, m.subarray(5 * MiB)],
      [`bytes=-${MiB + 10}`, undefined, m.subarray(m.length - MiB - 10)],
      [`bytes=${10 * MiB + 4096}-${10 * MiB + 4098}`, undefined, m.subarray(10 * MiB + 4096, 10 * MiB + 4099)],
      [undefined, 2, mParts[1]!],
      [undefined, 3, mParts[2]!],
      [undefined, undefined, m],
    ];
    const got = await Promise.all(cases.map(([range, part]) => get("m", range, part)));
    got.forEach((bytes, i) => assert.ok(bytes.equals(cases[i]![2]), `GET ${i} (${cases[i]![0] ?? "whole"}, part ${cases[i]![1] ?? "-"})`));
  });

  test("concurrent GETs and ranged GETs each get their own bytes", async () => {
    const ranges: [string, string | undefined, Buffer][] = [
      ["a", undefined, objects.a!],
      ["b", undefined, objects.b!],
      ["a", undefined, objects.a!],
      ["c", undefined, objects.c!],
      ["a", `bytes=4095-${5 * MiB + 1}`, objects.a!.subarray(4095, 5 * MiB + 2)],
      ["b", `bytes=-${MiB + 3}`, objects.b!.subarray(objects.b!.length - MiB - 3)],
      ["a", `bytes=${MiB + 17}-`, objects.a!.subarray(MiB + 17)],
    ];
    const got = await Promise.all(ranges.map(([key, range]) => get(key, range)));
    got.forEach((bytes, i) => assert.ok(bytes.equals(ranges[i]![2]), `GET ${i} (${ranges[i]![0]} ${ranges[i]![1] ?? "whole"})`));
  });

  test("a reader that stalls mid-download, then goes away, leaves other GETs' bytes intact", async () => {
    const stalled = await stalledGet("a", MiB);
    assert.ok(stalled.received.equals(objects.a!.subarray(0, stalled.received.length)));
    // While its answer's buffers wait on a full socket, others read the same and other objects.
    const [a, b, c, m] = await Promise.all([get("a"), get("b"), get("c"), get("m")]);
    assert.ok(m.equals(objects["m"]!));
    assert.ok(a.equals(objects.a!));
    assert.ok(b.equals(objects.b!));
    assert.ok(c.equals(objects.c!));
    // It takes a little more, and what it gets is still its own object's bytes.
    const more = await new Promise<Buffer>((resolve) => {
      stalled.res.once("data", (chunk: Buffer) => {
        stalled.res.pause();
        resolve(chunk);
      });
      stalled.res.resume();
    });
    const at = stalled.received.length;
    assert.ok(more.equals(objects.a!.subarray(at, at + more.length)), "the stalled answer's later bytes are still object a's");
    const closed = new Promise((r) => stalled.req.once("close", r));
    stalled.req.destroy();
    await closed;
    // Clients that go away at once, one after another, while others read.
    for (let i = 0; i < 4; i++) {
      const gone = await stalledGet(["a", "m", "b"][i % 3]!, 1);
      gone.req.destroy();
    }
    const again = await Promise.all([get("a"), get("b"), get("a", "bytes=100-2000000"), get("m")]);
    assert.ok(again[3]!.equals(objects["m"]!));
    assert.ok(again[0]!.equals(objects.a!));
    assert.ok(again[1]!.equals(objects.b!));
    assert.ok(again[2]!.equals(objects.a!.subarray(100, 2_000_001)));
  });

  test("pipelined GETs on a connection the client drops: the queued answers end too, and no blob stays open", async () => {
    const blobsOpen = (): number => {
      let n = 0;
      for (const fd of readdirSync(`/proc/${server.pid}/fd`)) {
        try {
          if (readlinkSync(`/proc/${server.pid}/fd/${fd}`).startsWith(join(server.dataDir, "blobs"))) n++;
        } catch {
          // closed while listed
        }
      }
      return n;
    };
    // Big enough that the queued answers' reads cannot all finish (and close their files) before
    // their first writes wait on a connection that is gone.
    const big = randomBytes(48 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "big", Body: big }));
    for (let round = 0; round < 3; round++) {
      const heads: string[] = [];
      for (const key of ["big", "big", "big"]) {
        const signed = await signRequest(server, { method: "GET", path: `/${BUCKET}/${key}` });
        heads.push(`GET ${signed.path} HTTP/1.1\r\n${Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n`);
      }
      // Three requests in one write: the second and third answers queue behind the first, which
      // stalls on a full socket once the client stops reading after its first MiB.
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(server.port, "127.0.0.1", () => socket.write(heads.join("")));
        let received = 0;
        socket.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received < MiB) return;
          socket.destroy();
          resolve();
        });
        socket.once("error", reject);
      });
    }
    const deadline = Date.now() + 5_000;
    while (blobsOpen() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(blobsOpen(), 0, "every blob the dropped answers read from is closed");
    assert.ok((await get("c")).equals(objects.c!));
  });

  test("over HTTP/2, concurrent streams on one session get their own bytes, and one reset mid-way harms none", async () => {
    const session = http2.connect(`http://127.0.0.1:${server.port}`);
    try {
      const open = async (key: string): Promise<http2.ClientHttp2Stream> => {
        const signed = await signRequest(server, { method: "GET", path: `/${BUCKET}/${key}` });
        const { host, ...rest } = signed.headers;
        return session.request({ ":method": "GET", ":path": signed.path, ":authority": host!, ...rest });
      };
      const whole = (stream: http2.ClientHttp2Stream): Promise<Buffer> =>
        new Promise((resolve, reject) => {
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.once("end", () => resolve(Buffer.concat(chunks)));
          stream.once("error", reject);
        });
      const reset = await open("a");
      const resetDone = new Promise<void>((resolve) => {
        reset.once("data", () => {
          reset.close(http2.constants.NGHTTP2_CANCEL);
          resolve();
        });
      });
      reset.on("error", () => undefined);
      const [a, b] = await Promise.all([open("a").then(whole), open("b").then(whole), resetDone]);
      assert.ok(a.equals(objects.a!));
      assert.ok(b.equals(objects.b!));
      assert.ok((await whole(await open("c"))).equals(objects.c!));
    } finally {
      session.close();
    }
  });
});
