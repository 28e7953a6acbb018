import assert from "node:assert/strict";
import { test } from "node:test";
import { evenRanges, partitionKeyHash } from "../hash-key.js";
import { createTestKinesis, rejects, type TestKinesis } from "../test-kit.js";
import { getRecords } from "./get-records.js";
import { getShardIterator } from "./get-shard-iterator.js";
import { putRecord } from "./put-record.js";
import { putRecords } from "./put-records.js";

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
const text = (b: Uint8Array): string => Buffer.from(b).toString();

async function iterator(k: TestKinesis, stream: string, shard: string, type: "TRIM_HORIZON" | "LATEST" = "TRIM_HORIZON"): Promise<string> {
  return (await getShardIterator({ StreamName: stream, ShardId: shard, ShardIteratorType: type }, k.ctx)).ShardIterator!;
}

test("PutRecord routes by MD5 of the partition key and GetRecords returns the records in order", async () => {
  const k = createTestKinesis();
  await k.activeStream("s", 3);
  const a = await putRecord({ StreamName: "s", PartitionKey: "a", Data: bytes("one") }, k.ctx);
  const b = await putRecord({ StreamName: "s", PartitionKey: "a", Data: bytes("two") }, k.ctx);
  // md5("a") = 0x0cc1... is in the first third of the key space.
  assert.equal(a.ShardId, "shardId-000000000000");
  assert.ok(BigInt(b.SequenceNumber) > BigInt(a.SequenceNumber));
  const out = await getRecords({ ShardIterator: await iterator(k, "s", "shardId-000000000000") }, k.ctx);
  assert.deepEqual(out.Records.map((r) => [text(r.Data), r.PartitionKey, r.SequenceNumber]), [
    ["one", "a", a.SequenceNumber],
    ["two", "a", b.SequenceNumber],
  ]);
  assert.equal(out.Records[0]?.ApproximateArrivalTimestamp?.getTime(), k.clock.now());
  assert.equal(out.MillisBehindLatest, 0);
  const again = await getRecords({ ShardIterator: out.NextShardIterator! }, k.ctx);
  assert.deepEqual(again.Records, []);
  assert.ok(again.NextShardIterator);
});

test("ExplicitHashKey picks the shard; out-of-range keys are refused", async () => {
  const k = createTestKinesis();
  await k.activeStream("s", 3);
  const last = await putRecord({ StreamName: "s", PartitionKey: "x", Data: bytes(""), ExplicitHashKey: ((1n << 128n) - 1n).toString() }, k.ctx);
  assert.equal(last.ShardId, "shardId-000000000002");
  const edge = await putRecord({ StreamName: "s", PartitionKey: "x", Data: bytes(""), ExplicitHashKey: "226854911280625642308916404954512140969" }, k.ctx);
  assert.equal(edge.ShardId, "shardId-000000000001");
  await rejects(
    putRecord({ StreamName: "s", PartitionKey: "x", Data: bytes(""), ExplicitHashKey: (1n << 128n).toString() }, k.ctx),
    "InvalidArgumentException",
    /ExplicitHashKey must be in the range: \[0, 2\^128-1\]/,
  );
});

test("iterator types: AT/AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  const seqs: string[] = [];
  for (let i = 0; i < 5; i++) {
    seqs.push((await putRecord({ StreamName: "s", PartitionKey: "p", Data: bytes(`r${i}`) }, k.ctx)).SequenceNumber);
    k.clock.advance(1000);
  }
  const read = async (it: string): Promise<string[]> => (await getRecords({ ShardIterator: it }, k.ctx)).Records.map((r) => text(r.Data));
  const at = await getShardIterator({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: seqs[2]! }, k.ctx);
  assert.deepEqual(await read(at.ShardIterator!), ["r2", "r3", "r4"]);
  const after = await getShardIterator({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: seqs[2]! }, k.ctx);
  assert.deepEqual(await read(after.ShardIterator!), ["r3", "r4"]);
  const latest = await iterator(k, "s", "shardId-000000000000", "LATEST");
  await putRecord({ StreamName: "s", PartitionKey: "p", Data: bytes("r5") }, k.ctx);
  assert.deepEqual(await read(latest), ["r5"]);
  const ts = await getShardIterator({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "AT_TIMESTAMP", Timestamp: new Date(k.clock.now() - 2500) }, k.ctx);
  assert.deepEqual(await read(ts.ShardIterator!), ["r3", "r4", "r5"]);
});

test("iterator misuse is worded as the service words it", async () => {
  const k = createTestKinesis();
  await k.activeStream("s", 2);
  const seq = (await putRecord({ StreamName: "s", PartitionKey: "a", Data: bytes("") }, k.ctx)).SequenceNumber;
  await rejects(
    getShardIterator({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "AT_SEQUENCE_NUMBER" }, k.ctx),
    "InvalidArgumentException",
    /Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber\.$/,
  );
  await rejects(
    getShardIterator({ StreamName: "s", ShardId: "shardId-000000000001", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: seq }, k.ctx),
    "InvalidArgumentException",
    /^Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used in a call to a shard with shardId-000000000001$/,
  );
  await rejects(
    getShardIterator({ StreamName: "s", ShardId: "shardId-000000000009", ShardIteratorType: "LATEST" }, k.ctx),
    "ResourceNotFoundException",
    /^Shard shardId-000000000009 in stream s under account 123456789012 does not exist$/,
  );
  await rejects(
    getShardIterator({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "AT_TIMESTAMP", Timestamp: new Date(k.clock.now() + 60_000) }, k.ctx),
    "InvalidArgumentException",
    /cannot be greater than the currentTimestampInMillis/,
  );
  await rejects(getRecords({ ShardIterator: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }, k.ctx), "InvalidArgumentException", /^Invalid ShardIterator\.$/);
});

test("iterators expire after 5 minutes of the injected clock", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  const it = await iterator(k, "s", "shardId-000000000000");
  k.clock.advance(300_000);
  const ok = await getRecords({ ShardIterator: it }, k.ctx);
  k.clock.advance(300_001);
  await rejects(getRecords({ ShardIterator: it }, k.ctx), "ExpiredIteratorException", /^Iterator expired\. The iterator was created at time .* UTC 2026 while right now it is .* which is further in the future than the tolerated delay of 300000 milliseconds\.$/);
  // The next iterator of a call is fresh.
  k.clock.set(k.clock.now() - 300_001);
  assert.ok(ok.NextShardIterator);
});

test("GetRecords honours Limit and reports MillisBehindLatest when not at the tip", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  await putRecords({ StreamName: "s", Records: Array.from({ length: 10 }, (_, i) => ({ PartitionKey: "p", Data: bytes(String(i)) })) }, k.ctx);
  k.clock.advance(7000);
  const first = await getRecords({ ShardIterator: await iterator(k, "s", "shardId-000000000000"), Limit: 4 }, k.ctx);
  assert.deepEqual(first.Records.map((r) => text(r.Data)), ["0", "1", "2", "3"]);
  assert.equal(first.MillisBehindLatest, 7000);
  const rest = await getRecords({ ShardIterator: first.NextShardIterator! }, k.ctx);
  assert.equal(rest.Records.length, 6);
  assert.equal(rest.MillisBehindLatest, 0);
});

test("PutRecords throttles per record past 1,000 records/s per shard and reports each failure", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  let failed = 0;
  let ok = 0;
  for (let batch = 0; batch < 3; batch++) {
    const out = await putRecords({ StreamName: "s", Records: Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `k${i}`, Data: bytes("x") })) }, k.ctx);
    failed += out.FailedRecordCount ?? 0;
    ok += out.Records.filter((r) => r.SequenceNumber !== undefined).length;
    if (batch === 2) {
      const bad = out.Records.find((r) => r.ErrorCode !== undefined);
      assert.equal(bad?.ErrorCode, "ProvisionedThroughputExceededException");
      assert.equal(bad?.ErrorMessage, "Rate exceeded for shard shardId-000000000000 in stream s under account 123456789012.");
    }
  }
  assert.equal(ok, 1000);
  assert.equal(failed, 500);
  await rejects(putRecord({ StreamName: "s", PartitionKey: "k", Data: bytes("x") }, k.ctx), "ProvisionedThroughputExceededException");
  k.clock.advance(1000);
  await putRecord({ StreamName: "s", PartitionKey: "k", Data: bytes("x") }, k.ctx);
});

test("more than 5 GetRecords calls per second on a shard are throttled", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  let it = await iterator(k, "s", "shardId-000000000000");
  for (let i = 0; i < 5; i++) it = (await getRecords({ ShardIterator: it }, k.ctx)).NextShardIterator!;
  await rejects(getRecords({ ShardIterator: it }, k.ctx), "ProvisionedThroughputExceededException", /Rate exceeded for shard shardId-000000000000/);
  k.clock.advance(1000);
  await getRecords({ ShardIterator: it }, k.ctx);
});

test("nothing is throttled with enforcement off", async () => {
  const k = createTestKinesis({ enforceLimits: false });
  await k.activeStream("s");
  for (let batch = 0; batch < 4; batch++) {
    const out = await putRecords({ StreamName: "s", Records: Array.from({ length: 500 }, () => ({ PartitionKey: "k", Data: bytes("x") })) }, k.ctx);
    assert.equal(out.FailedRecordCount, 0);
  }
});

test("records larger than the stream's 1 MiB maximum are refused", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  await rejects(
    putRecord({ StreamName: "s", PartitionKey: "k", Data: new Uint8Array(1024 * 1024 + 1) }, k.ctx),
    "ValidationException",
    /at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576/,
  );
  await putRecord({ StreamName: "s", PartitionKey: "k", Data: new Uint8Array(1024 * 1024) }, k.ctx);
});

test("records older than the retention period disappear and TRIM_HORIZON moves with them", async () => {
  const k = createTestKinesis();
  await k.activeStream("s");
  await putRecord({ StreamName: "s", PartitionKey: "k", Data: bytes("old") }, k.ctx);
  k.clock.advance(23 * 3_600_000);
  await putRecord({ StreamName: "s", PartitionKey: "k", Data: bytes("new") }, k.ctx);
  k.clock.advance(2 * 3_600_000);
  const out = await getRecords({ ShardIterator: await iterator(k, "s", "shardId-000000000000") }, k.ctx);
  assert.deepEqual(out.Records.map((r) => text(r.Data)), ["new"]);
});

test("data calls on a stream that is still CREATING say it does not exist", async () => {
  const k = createTestKinesis();
  const { createStream } = await import("./create-stream.js");
  await createStream({ StreamName: "new", ShardCount: 1 }, k.ctx);
  await rejects(putRecord({ StreamName: "new", PartitionKey: "k", Data: bytes("") }, k.ctx), "ResourceNotFoundException");
});

test("PutRecords routes every record to the shard whose range holds its 128-bit hash key, also where only the low bits decide", async () => {
  const k = createTestKinesis();
  await k.activeStream("s", 3);
  const ranges = evenRanges(3);
  const shardOf = (key: bigint): string => `shardId-00000000000${ranges.findIndex((r) => r.start <= key && key <= r.end)}`;
  const records: { PartitionKey: string; Data: Uint8Array; ExplicitHashKey?: string }[] = Array.from({ length: 300 }, (_v, i) => ({ PartitionKey: i % 3 === 0 ? `k-${i}-${"é".repeat(i % 2)}` : `key-${i * 7919}`, Data: bytes(`${i}`) }));
  // Explicit keys around each bound: the same top 32 bits, on either side.
  for (const r of ranges) for (const d of [-1n, 0n, 1n]) if (r.start + d >= 0n) records.push({ PartitionKey: "x", Data: bytes("e"), ExplicitHashKey: (r.start + d).toString() });
  const out = await putRecords({ StreamName: "s", Records: records }, k.ctx);
  assert.equal(out.FailedRecordCount, 0);
  records.forEach((r, i) => {
    const ehk = r.ExplicitHashKey;
    assert.equal(out.Records[i]!.ShardId, shardOf(ehk === undefined ? partitionKeyHash(r.PartitionKey) : BigInt(ehk)), `${r.PartitionKey} ${ehk ?? ""}`);
  });
});
