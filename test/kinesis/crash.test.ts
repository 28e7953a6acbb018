// Crash safety: kill -9 the server while concurrent PutRecords are in flight, restart it on the
// same data directory, and check that every acknowledged record is there with the sequence
// number it was given, in order per shard, that nothing appears twice, and that the stream,
// its shards and tags survived.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { AddTagsToStreamCommand, CreateStreamCommand, ListTagsForStreamCommand, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { startServer, type RunningServer } from "../helpers/server.js";
import { kinesisClient, readLineage, waitActive } from "./support.js";

const STREAM = "crash";
const WRITERS = 6;

interface Ack {
  readonly data: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
}

/** `pad` bytes more per record: 2,000 make each body ~170 KB, which the server parses on a pool thread. */
async function writeUntilKilled(server: RunningServer, killAfterAcks: number, pad: number): Promise<Ack[]> {
  const client = kinesisClient(server, { maxAttempts: 1 });
  const acks: Ack[] = [];
  let killSent = false;
  let killing: Promise<void> | undefined;
  const writer = async (w: number): Promise<void> => {
    for (let batch = 0; !killSent; batch++) {
      const records = Array.from({ length: 50 }, (_, i) => ({ PartitionKey: `w${w}-k${i % 7}`, Data: Buffer.from(`w${w}-b${batch}-r${i}-${"x".repeat(i * 20 + pad)}`) }));
      try {
        const out = await client.send(new PutRecordsCommand({ StreamName: STREAM, Records: records }));
        out.Records?.forEach((r, i) => {
          if (r.SequenceNumber !== undefined) acks.push({ data: records[i]!.Data.toString(), shardId: r.ShardId!, sequenceNumber: r.SequenceNumber });
        });
        if (acks.length >= killAfterAcks && !killSent) {
          killSent = true;
          killing = server.kill();
        }
      } catch {
        return; // the server died under this request: not acknowledged
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  await killing;
  client.destroy();
  return acks;
}

for (const [what, pad] of [
  ["", 0],
  [" (large bodies, parsed and encoded on a pool thread)", 2000],
] as const) {
  test(`kill -9 during concurrent PutRecords loses no acknowledged record${what}`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "kinesis-crash-"));
    const env = { STREAMLAKE_KINESIS_ENFORCE_LIMITS: "false" };
    try {
      const first = await startServer({ dataDir, env });
      const setup = kinesisClient(first);
      await setup.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 3 }));
      await waitActive(setup, STREAM);
      await setup.send(new AddTagsToStreamCommand({ StreamName: STREAM, Tags: { survives: "yes" } }));
      setup.destroy();
      const acks = await writeUntilKilled(first, 3000, pad);
      assert.ok(acks.length >= 3000);

      const second = await startServer({ dataDir, env });
      const client = kinesisClient(second);
      try {
        await waitActive(client, STREAM);
        assert.deepEqual((await client.send(new ListTagsForStreamCommand({ StreamName: STREAM }))).Tags, [{ Key: "survives", Value: "yes" }]);
        const records = await readLineage(client, STREAM);
        const bySeq = new Map(records.map((r) => [`${r.shardId}/${r.sequenceNumber}`, r]));
        assert.equal(bySeq.size, records.length, "a sequence number appears twice");
        assert.equal(new Set(records.map((r) => r.data)).size, records.length, "a record appears twice");
        for (const ack of acks) {
          const found = bySeq.get(`${ack.shardId}/${ack.sequenceNumber}`);
          assert.ok(found, `acknowledged record ${ack.data} (${ack.shardId} ${ack.sequenceNumber}) is missing`);
          assert.equal(found.data, ack.data);
        }
        // Within each writer and partition key, batches come back in the order they were written.
        const perKey = new Map<string, number[]>();
        for (const r of records) {
          const m = /^(w\d+)-b(\d+)-r(\d+)-/.exec(r.data)!;
          const key = `${m[1]}-k${Number(m[3]) % 7}`;
          perKey.set(key, [...(perKey.get(key) ?? []), Number(m[2]) * 100 + Number(m[3])]);
        }
        for (const [key, order] of perKey) assert.deepEqual(order, [...order].sort((a, b) => a - b), key);
      } finally {
        client.destroy();
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
