// kill -9 while records are buffering, being staged and being delivered; after a restart on the
// same data directory every acknowledged record is in S3, and the test counts duplicates.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { CreateDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { clientConfig, type RunningServer } from "../helpers/server.js";
import { eventually, getBytes, listKeys, s3Destination, startFirehoseServer, waitActive } from "./support.js";

const dataDir = mkdtempSync(join(tmpdir(), "firehose-crash-"));
const servers: RunningServer[] = [];
after(async () => {
  for (const s of servers) await s.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<{ server: RunningServer; firehose: FirehoseClient; s3: S3Client }> {
  const server = await startFirehoseServer({ dataDir });
  servers.push(server);
  return { server, firehose: new FirehoseClient({ ...clientConfig(server), maxAttempts: 1 }), s3: new S3Client({ ...clientConfig(server), forcePathStyle: true }) };
}

/** Writes batches of uniquely numbered records until `stop` resolves; returns the acknowledged numbers. */
async function writeUntil(firehose: FirehoseClient, first: number, stop: Promise<void>): Promise<{ acked: number[]; next: number }> {
  const acked: number[] = [];
  let next = first;
  let stopped = false;
  void stop.then(() => (stopped = true));
  const writer = async (): Promise<void> => {
    while (!stopped) {
      const ids = Array.from({ length: 50 }, () => next++);
      try {
        const out = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "crashy", Records: ids.map((i) => ({ Data: Buffer.from(`${JSON.stringify({ i, pad: "x".repeat(200) })}\n`) })) }));
        out.RequestResponses!.forEach((r, k) => {
          if (r.ErrorCode === undefined) acked.push(ids[k]!);
        });
      } catch {
        return; // the server died under this call: not acknowledged
      }
    }
  };
  await Promise.all([writer(), writer(), writer()]);
  return { acked, next };
}

test("after kill -9 twice, every acknowledged record is delivered; duplicates are counted", async () => {
  let { server, firehose, s3 } = await start();
  await s3.send(new CreateBucketCommand({ Bucket: "crash" }));
  await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "crashy", ExtendedS3DestinationConfiguration: s3Destination("crash", { BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 1 } }) }));
  await waitActive(firehose, "crashy");
  const acked: number[] = [];
  let next = 0;
  for (let round = 0; round < 2; round++) {
    // Kill once some objects exist and records are still flowing in, so buffers, staged outputs and
    // in-flight S3 writes are all cut short.
    const objectsBefore = (await listKeys(s3, "crash")).length;
    const killed = eventually("objects to appear while writing", async () => ((await listKeys(s3, "crash")).length > objectsBefore ? true : undefined)).then(() => server.kill());
    const w = await writeUntil(firehose, next, killed);
    await killed;
    acked.push(...w.acked);
    next = w.next;
    firehose.destroy();
    s3.destroy();
    ({ server, firehose, s3 } = await start());
  }
  assert.ok(acked.length > 500, `enough acknowledged writes (${acked.length})`);

  const count = async (): Promise<Map<number, number>> => {
    const seen = new Map<number, number>();
    for (const k of await listKeys(s3, "crash")) {
      for (const line of (await getBytes(s3, "crash", k)).toString("utf8").split("\n")) {
        if (line === "") continue;
        const i = (JSON.parse(line) as { i: number }).i;
        seen.set(i, (seen.get(i) ?? 0) + 1);
      }
    }
    return seen;
  };
  const seen = await eventually("every acknowledged record", async () => {
    const s = await count();
    return acked.every((i) => s.has(i)) ? s : undefined;
  }, 30_000);
  // Let anything still staged land, then count: the figure is reported, and must be zero.
  const settled = await eventually("delivery to settle", async () => {
    const a = await count();
    await new Promise((r) => setTimeout(r, 1500));
    const b = await count();
    return [...a.values()].reduce((x, y) => x + y, 0) === [...b.values()].reduce((x, y) => x + y, 0) ? b : undefined;
  });
  const duplicates = [...settled.values()].reduce((n, c) => n + (c - 1), 0);
  console.log(`firehose crash test: ${acked.length} acknowledged, ${settled.size} distinct delivered, ${duplicates} duplicates`);
  assert.ok(seen.size >= acked.length);
  assert.equal(duplicates, 0);
  firehose.destroy();
  s3.destroy();
});
