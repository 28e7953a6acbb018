// Crash safety of a versioned bucket: kill -9 the server during a burst of concurrent overwrites
// (inline and blob bodies, several writers per key), restart it on the same data directory, and
// check that every acknowledged version is listed and reads back whole by its version id, that a
// version the server never acknowledged is either absent or whole, and that each key's latest
// version is the newest one listed.
import assert from "node:assert/strict";
import { createHash, randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  type ObjectVersion,
} from "@aws-sdk/client-s3";
import { clientConfig, startServer, type RunningServer } from "../helpers/server.js";

const BUCKET = "crash-versions";
const KEYS = Array.from({ length: 6 }, (_, i) => `v/${i}`);
/** Bodies up to this size are stored inline in the metadata row (src/services/s3/body/ingest.ts). */
const INLINE_MAX = 64 * 1024;

/** One PUT sent before the kill. */
interface Attempt {
  readonly key: string;
  readonly md5: string;
  readonly size: number;
  /** The version id the server acknowledged; undefined when no answer arrived. */
  versionId: string | undefined;
}

const md5Hex = (b: Uint8Array): string => createHash("md5").update(b).digest("hex");
const body = (): Buffer => (Math.random() < 0.5 ? randomBytes(randomInt(0, INLINE_MAX)) : randomBytes(randomInt(INLINE_MAX + 1, 1024 * 1024)));
const client = (server: RunningServer): S3Client => new S3Client({ ...clientConfig(server), forcePathStyle: true, maxAttempts: 1 });

/**
 * Kills the server while one more PUT is surely in flight: its body stream hands the client a
 * first chunk and then stalls, so the server is reading it when SIGKILL lands. (On a fast idle
 * machine the writers' own requests may all have been answered by the time the signal arrives.)
 */
async function killMidUpload(s3: S3Client, server: RunningServer, attempts: Attempt[]): Promise<void> {
  const first = randomBytes(INLINE_MAX * 2);
  let started: () => void = () => undefined;
  const sending = new Promise<void>((r) => (started = r));
  let pushed = false;
  const stalled = new Readable({
    read() {
      if (!pushed) {
        pushed = true;
        this.push(first);
      } else started();
    },
  });
  attempts.push({ key: KEYS[0]!, md5: md5Hex(Buffer.concat([first, first])), size: first.length * 2, versionId: undefined });
  const put = s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEYS[0]!, Body: stalled, ContentLength: first.length * 2 })).catch(() => undefined);
  await sending;
  await server.kill();
  stalled.destroy();
  await put;
}

/** Runs `concurrency` writers and SIGKILLs the server, with PUTs in flight, after `killAfterAcks` acknowledgements. */
async function overwriteUntilKilled(server: RunningServer, concurrency: number, killAfterAcks: number): Promise<Attempt[]> {
  const s3 = client(server);
  const attempts: Attempt[] = [];
  let acks = 0;
  let inFlight = 0;
  let killing: Promise<void> | undefined;
  const writer = async (): Promise<void> => {
    while (killing === undefined) {
      const data = body();
      const attempt: Attempt = { key: KEYS[randomInt(KEYS.length)]!, md5: md5Hex(data), size: data.length, versionId: undefined };
      attempts.push(attempt);
      inFlight++;
      try {
        const res = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: attempt.key, Body: data }));
        assert.equal(res.ETag, `"${attempt.md5}"`);
        assert.ok(res.VersionId !== undefined && res.VersionId !== "null", "a versioned PUT names its version");
        attempt.versionId = res.VersionId;
        acks++;
      } catch (err) {
        if (killing === undefined) throw err;
      } finally {
        inFlight--;
      }
      if (acks >= killAfterAcks && killing === undefined) killing = killMidUpload(s3, server, attempts);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, writer));
  await killing;
  s3.destroy();
  return attempts;
}

/** Every version of every key, as ListObjectVersions pages them (key order, newest first). */
async function listAll(s3: S3Client): Promise<ObjectVersion[]> {
  const out: ObjectVersion[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, KeyMarker, VersionIdMarker, MaxKeys: 50 }));
    assert.equal(page.DeleteMarkers, undefined, "no delete marker was ever written");
    out.push(...(page.Versions ?? []));
    if (page.IsTruncated !== true) return out;
    KeyMarker = page.NextKeyMarker;
    VersionIdMarker = page.NextVersionIdMarker;
  }
}

async function verify(server: RunningServer, history: readonly Attempt[]): Promise<void> {
  const s3 = client(server);
  try {
    const listed = await listAll(s3);
    const ids = new Set(listed.map((v) => v.VersionId));
    assert.equal(ids.size, listed.length, "a version id is listed twice");
    for (const a of history) {
      if (a.versionId !== undefined) assert.ok(ids.has(a.versionId), `${a.key}: acknowledged version ${a.versionId} is missing after the crash`);
    }
    const acked = new Map(history.filter((a) => a.versionId !== undefined).map((a) => [a.versionId!, a]));
    const sent = new Set(history.map((a) => `${a.key}\n${a.md5}\n${a.size}`));
    for (const v of listed) {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: v.Key, VersionId: v.VersionId }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      const md5 = md5Hex(bytes);
      assert.equal(v.ETag, `"${md5}"`, `${v.Key} ${v.VersionId}: listing and bytes disagree (torn version)`);
      assert.equal(v.Size, bytes.length);
      const mine = acked.get(v.VersionId!);
      if (mine !== undefined) assert.deepEqual([mine.key, mine.md5, mine.size], [v.Key, md5, bytes.length], `${v.VersionId}: not the bytes acknowledged`);
      else assert.ok(sent.has(`${v.Key}\n${md5}\n${bytes.length}`), `${v.Key} ${v.VersionId}: a version nobody sent`);
    }
    for (const key of KEYS) {
      const versions = listed.filter((v) => v.Key === key);
      if (versions.length === 0) continue;
      assert.equal(versions.filter((v) => v.IsLatest === true).length, 1, `${key}: one latest version`);
      assert.equal(versions[0]!.IsLatest, true, `${key}: the latest is listed first`);
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      assert.equal(head.VersionId, versions[0]!.VersionId, `${key}: GET's latest and the listing's differ`);
    }
  } finally {
    s3.destroy();
  }
}

const dataDir = mkdtempSync(join(tmpdir(), "streamlake-vcrash-"));
const running: RunningServer[] = [];
after(async () => {
  for (const s of running) await s.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

test("kill -9 during concurrent versioned overwrites keeps every acknowledged version, twice over", async (t) => {
  let server = await startServer({ dataDir });
  running.push(server);
  const setup = client(server);
  await setup.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await setup.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } }));
  setup.destroy();

  const history: Attempt[] = [];
  for (const round of [1, 2]) {
    const attempts = await overwriteUntilKilled(server, 12, round === 1 ? 80 : 40);
    history.push(...attempts);
    const acked = attempts.filter((a) => a.versionId !== undefined).length;
    assert.ok(attempts.length > acked, `round ${round}: the kill found no request in flight`);
    server = await startServer({ dataDir });
    running.push(server);
    t.diagnostic(`round ${round}: ${attempts.length} PUTs, ${acked} acknowledged, ${attempts.length - acked} in flight at the kill`);
    await verify(server, history);
  }
  assert.equal(await server.stop(), 0);
});
