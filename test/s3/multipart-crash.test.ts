// Crash test: kill -9 while many CompleteMultipartUpload requests are in flight, restart on the
// same data directory, and check that every acknowledged completion reads back byte-identical and
// that every other upload is either completed whole or still listed, intact, as incomplete.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from "@aws-sdk/client-s3";
import { clientConfig, startServer, type RunningServer } from "../helpers/server.js";
import { bodyBytes } from "./objects-support.js";

const BUCKET = "multipart-crash";
const MiB = 1024 * 1024;
const UPLOADS = 12;

interface Pending {
  readonly key: string;
  readonly uploadId: string;
  readonly parts: CompletedPart[];
  readonly body: Buffer;
  readonly etag: string;
}

function expectedEtag(parts: readonly Buffer[]): string {
  const h = createHash("md5");
  for (const p of parts) h.update(createHash("md5").update(p).digest());
  return `"${h.digest("hex")}-${parts.length}"`;
}

/** No retries: a request the crash cut off must fail, not be replayed against the next server. */
const client = (server: RunningServer): S3Client => new S3Client({ ...clientConfig(server), forcePathStyle: true, maxAttempts: 1 });

async function prepare(s3: S3Client, round: number): Promise<Pending[]> {
  const pending: Pending[] = [];
  await Promise.all(
    Array.from({ length: UPLOADS }, async (_, i) => {
      const key = `round-${round}/object-${String(i).padStart(2, "0")}`;
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
      const bodies = [randomBytes(5 * MiB), randomBytes(1000 + i)];
      const parts: CompletedPart[] = [];
      for (const [n, b] of bodies.entries()) {
        const r = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: UploadId!, PartNumber: n + 1, Body: b }));
        parts.push({ PartNumber: n + 1, ETag: r.ETag!, ChecksumCRC32: r.ChecksumCRC32! });
      }
      pending.push({ key, uploadId: UploadId!, parts, body: Buffer.concat(bodies), etag: expectedEtag(bodies) });
    }),
  );
  return pending;
}

/**
 * Completes the uploads `concurrency` at a time (each finished one makes room for the next, so
 * completions are at every stage when the crash comes) and kills the server once `killAfter`
 * completions are acknowledged. Returns the acknowledged ETags by key.
 */
async function completeAndCrash(server: RunningServer, pending: readonly Pending[], concurrency: number, killAfter: number): Promise<Map<string, string>> {
  const s3 = client(server);
  const acked = new Map<string, string>();
  let killing: Promise<void> | undefined;
  const crash = (): Promise<void> => (killing ??= server.kill());
  const queue = [...pending];
  const worker = async (): Promise<void> => {
    for (let p = queue.shift(); p !== undefined && killing === undefined; p = queue.shift()) {
      try {
        const r = await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: p.key, UploadId: p.uploadId, MultipartUpload: { Parts: p.parts } }));
        acked.set(p.key, r.ETag!);
      } catch {
        return; // cut off by the crash
      }
      if (acked.size >= killAfter) void crash();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await crash();
  s3.destroy();
  return acked;
}

async function verify(s3: S3Client, pending: readonly Pending[], acked: ReadonlyMap<string, string>, round: number): Promise<{ completed: number; incomplete: number }> {
  const listedObjects = new Set(
    ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `round-${round}/` }))).Contents ?? []).map((o) => o.Key!),
  );
  const incomplete = new Map(
    ((await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: `round-${round}/` }))).Uploads ?? []).map((u) => [u.Key!, u.UploadId!]),
  );
  let completed = 0;
  for (const p of pending) {
    const ack = acked.get(p.key);
    if (ack !== undefined) assert.equal(ack, p.etag, `${p.key}: acknowledged ETag`);
    if (listedObjects.has(p.key)) {
      completed++;
      assert.ok(!incomplete.has(p.key), `${p.key}: completed, yet still listed as an incomplete upload`);
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: p.key }));
      assert.equal(got.ETag, p.etag, `${p.key}: ETag`);
      assert.ok((await bodyBytes(got.Body)).equals(p.body), `${p.key}: bytes`);
      continue;
    }
    assert.equal(ack, undefined, `${p.key}: acknowledged but missing after the crash`);
    assert.equal(incomplete.get(p.key), p.uploadId, `${p.key}: neither completed nor listed as incomplete`);
    const parts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: p.key, UploadId: p.uploadId }));
    assert.deepEqual(
      parts.Parts?.map((x) => [x.PartNumber, x.ETag]),
      p.parts.map((x) => [x.PartNumber, x.ETag]),
      `${p.key}: the incomplete upload kept its parts`,
    );
    // The survivor can still be completed, and reads back whole.
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: p.key, UploadId: p.uploadId, MultipartUpload: { Parts: p.parts } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: p.key }));
    assert.ok((await bodyBytes(got.Body)).equals(p.body), `${p.key}: bytes after completing the survivor`);
  }
  return { completed, incomplete: pending.length - completed };
}

describe("S3 multipart crash safety", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "streamlake-mp-crash-"));
  let server: RunningServer | undefined;
  after(async () => {
    await server?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  for (const [round, concurrency, killAfter] of [
    [1, 4, 5],
    [2, UPLOADS, 1],
  ] as const) {
    test(`kill -9 once ${killAfter} of ${UPLOADS} completions (${concurrency} at a time) are acknowledged`, async (t) => {
      server = await startServer({ dataDir });
      let s3 = client(server);
      if (round === 1) {
        await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
        // One upload that is never completed: it must outlive every restart.
        const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "kept/incomplete" }));
        await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: "kept/incomplete", UploadId: UploadId!, PartNumber: 7, Body: "seven" }));
      }
      const pending = await prepare(s3, round);
      s3.destroy();
      const acked = await completeAndCrash(server, pending, concurrency, killAfter);

      server = await startServer({ dataDir });
      s3 = client(server);
      const outcome = await verify(s3, pending, acked, round);
      t.diagnostic(`acknowledged ${acked.size}, completed ${outcome.completed}, left incomplete ${outcome.incomplete}`);
      const kept = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "kept/" }));
      assert.equal(kept.Uploads?.length, 1, "an incomplete upload survives the crash and restart");
      const keptParts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: "kept/incomplete", UploadId: kept.Uploads![0]!.UploadId! }));
      assert.deepEqual(keptParts.Parts?.map((p) => [p.PartNumber, p.Size]), [[7, 5]]);
      s3.destroy();
      await server.stop();
      server = undefined;
    });
  }
});
