// Crash safety: kill -9 the server in the middle of a stream of concurrent PUTs (small inline
// bodies and multi-MiB blob bodies, several writers per key), restart it on the same data
// directory, and check that every acknowledged write survived whole, nothing torn or never
// written is visible, and the start-up sweep left no orphaned blob files.
import assert from "node:assert/strict";
import { createHash, randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, test } from "node:test";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type _Object } from "@aws-sdk/client-s3";
import { clientConfig, startServer, type RunningServer } from "../helpers/server.js";

const BUCKET = "crash";
const KEYS = Array.from({ length: 10 }, (_, i) => `k/${i}${i % 3 === 0 ? "/deep key" : ""}`);
/** Bodies up to this size are stored inline in the metadata row (src/services/s3/body/ingest.ts). */
const INLINE_MAX = 64 * 1024;

interface Attempt {
  readonly key: string;
  readonly md5: string;
  readonly size: number;
  /** When the PUT was sent (performance.now()). */
  readonly startedAt: number;
  /** When the 200 arrived; undefined while in flight or if it never did. */
  ackedAt: number | undefined;
  /** An upper bound on when it could have committed: its ack, or the moment the server died. */
  doneBy: number;
}

const md5Hex = (b: Uint8Array): string => createHash("md5").update(b).digest("hex");

function body(): Buffer {
  // Half inline-sized (< 64 KiB), half blobs of up to a few MiB.
  return Math.random() < 0.5 ? randomBytes(randomInt(0, INLINE_MAX)) : randomBytes(randomInt(INLINE_MAX + 1, 3 * 1024 * 1024));
}

/**
 * Runs `concurrency` writers against the server and SIGKILLs it, with requests in flight, once
 * `killAfterAcks` PUTs were acknowledged; returns every attempt.
 */
async function writeUntilKilled(server: RunningServer, concurrency: number, killAfterAcks: number): Promise<Attempt[]> {
  const client = new S3Client({ ...clientConfig(server), forcePathStyle: true, maxAttempts: 1 });
  const attempts: Attempt[] = [];
  let acks = 0;
  let killing: Promise<void> | undefined;
  let killSent = false;
  let inFlight = 0;
  const writer = async (): Promise<void> => {
    while (!killSent) {
      const key = KEYS[randomInt(KEYS.length)]!;
      const data = body();
      const attempt: Attempt = { key, md5: md5Hex(data), size: data.length, startedAt: performance.now(), ackedAt: undefined, doneBy: Infinity };
      attempts.push(attempt);
      inFlight++;
      try {
        const res = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data }));
        // An answer that arrived is an acknowledgement, even one read after the kill was sent.
        assert.equal(res.ETag, `"${attempt.md5}"`);
        attempt.ackedAt = performance.now();
        attempt.doneBy = attempt.ackedAt;
        acks++;
      } catch (err) {
        if (!killSent) throw err;
      } finally {
        inFlight--;
      }
      // Kill with requests in flight: this writer's next PUT and the others' are on the wire.
      if (acks >= killAfterAcks && killing === undefined && inFlight > 0) {
        killSent = true;
        killing = server.kill();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, writer));
  await killing;
  const diedBy = performance.now();
  for (const a of attempts) if (a.ackedAt === undefined) a.doneBy = diedBy;
  client.destroy();
  return attempts;
}

/** The versions a key may hold now: none finished before an acknowledged write to it began. */
function allowedFinal(history: readonly Attempt[]): Attempt[] {
  const acked = history.filter((a) => a.ackedAt !== undefined);
  return history.filter((v) => !acked.some((a) => a.startedAt > v.doneBy));
}

async function verify(server: RunningServer, history: readonly Attempt[]): Promise<void> {
  const client = new S3Client({ ...clientConfig(server), forcePathStyle: true });
  try {
    const listed: _Object[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
      listed.push(...(page.Contents ?? []));
      token = page.NextContinuationToken;
    } while (token !== undefined);
    const listedByKey = new Map(listed.map((o) => [o.Key!, o]));
    for (const o of listed) assert.ok(KEYS.includes(o.Key!), `listed a key never written: ${o.Key}`);

    for (const key of KEYS) {
      const versions = history.filter((a) => a.key === key);
      const allowed = allowedFinal(versions);
      const anyAcked = versions.some((a) => a.ackedAt !== undefined);
      const entry = listedByKey.get(key);
      if (entry === undefined) {
        assert.ok(!anyAcked, `${key}: acknowledged but missing after the crash`);
        continue;
      }
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      const md5 = md5Hex(bytes);
      const match = allowed.find((a) => a.md5 === md5 && a.size === bytes.length);
      assert.ok(
        match !== undefined,
        `${key}: content (md5 ${md5}, ${bytes.length} bytes) is not an acknowledged-or-in-flight version at least as new as the last acknowledged one`,
      );
      // The listing describes the same whole version the GET returned.
      assert.equal(entry.ETag, `"${md5}"`, `${key}: listing and GET disagree`);
      assert.equal(entry.Size, bytes.length);
      assert.equal(got.ETag, `"${md5}"`);
    }

    // Every blob file is referenced by exactly one listed object; no temp files are left.
    const blobDir = join(server.dataDir, "blobs");
    assert.deepEqual(readdirSync(join(blobDir, "tmp")), [], "temp files left after the start-up sweep");
    const files = readdirSync(blobDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^[0-9a-f]{2}$/.test(d.name))
      .flatMap((d) => readdirSync(join(blobDir, d.name)));
    const blobBacked = listed.filter((o) => (o.Size ?? 0) > INLINE_MAX).length;
    assert.equal(files.length, blobBacked, `blob files ${files.length} vs objects stored as blobs ${blobBacked}: orphans survived the sweep`);
  } finally {
    client.destroy();
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "streamlake-crash-"));
const running: RunningServer[] = [];
after(async () => {
  for (const s of running) await s.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

test("kill -9 during concurrent PUTs loses no acknowledged write and shows nothing torn, twice over", async (t) => {
  const history: Attempt[] = [];
  let server = await startServer({ dataDir });
  running.push(server);
  const setup = new S3Client({ ...clientConfig(server), forcePathStyle: true });
  await setup.send(new CreateBucketCommand({ Bucket: BUCKET }));
  setup.destroy();

  for (const round of [1, 2]) {
    const attempts = await writeUntilKilled(server, 16, round === 1 ? 60 : 30);
    history.push(...attempts);
    const acked = attempts.filter((a) => a.ackedAt !== undefined).length;
    assert.ok(acked >= (round === 1 ? 60 : 30), `round ${round}: only ${acked} acknowledged`);
    assert.ok(attempts.length > acked, `round ${round}: the kill found no request in flight`);

    server = await startServer({ dataDir });
    running.push(server);
    const swept = /"msg":"swept files left by an earlier crash"[^\n]*"removed":(\d+)/.exec(server.log())?.[1] ?? "0";
    t.diagnostic(`round ${round}: ${attempts.length} PUTs, ${acked} acknowledged, ${attempts.length - acked} in flight at the kill; ${swept} files swept at restart`);
    await verify(server, history);
  }
  assert.equal(await server.stop(), 0);
});
