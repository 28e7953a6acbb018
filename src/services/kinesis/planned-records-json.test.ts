import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createMemoryKinesisMetadataStore } from "../../storage/kinesis-metadata/memory-kinesis-metadata.js";
import { createSegmentShardLogStore } from "../../storage/shard-log/segment-shard-log.js";
import { ManualClock } from "../../util/clock.js";
import { createLogger } from "../../util/logger.js";
import { getRecordsJson, type StreamedJson } from "./json-output.js";
import { bytesOf } from "./test-kit.js";
import { createStream } from "./ops/create-stream.js";
import { getRecords, getRecordsJsonBody } from "./ops/get-records.js";
import { getShardIterator } from "./ops/get-shard-iterator.js";
import { putRecords } from "./ops/put-records.js";
import type { OpContext } from "./operation.js";
import { DEFAULT_KINESIS_OPTIONS, KinesisState } from "./state.js";
import { TEST_START } from "./test-kit.js";

const temps: string[] = [];
after(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

test("GetRecords from a read plan writes the bytes the record-object path writes, across segments, pages and odd keys", async () => {
  const dir = await mkdtemp(join(tmpdir(), "planned-json-"));
  temps.push(dir);
  const clock = new ManualClock(TEST_START);
  const logs = createSegmentShardLogStore({ dir, segmentBytes: 96 * 1024, indexEveryBytes: 8 * 1024 });
  const options = { ...DEFAULT_KINESIS_OPTIONS, region: "us-east-1", accountId: "123456789012", enforceLimits: false };
  const state = new KinesisState(createMemoryKinesisMetadataStore(), logs, clock, options, createLogger("silent"));
  const ctx: OpContext = { state, signal: new AbortController().signal };
  try {
    await createStream({ StreamName: "s", ShardCount: 1 }, ctx);
    clock.advance(Math.max(options.transitionDelayMs, options.consumerDelayMs) + 1);
    const keys = ["a", 'q"uote', "back\\slash", "ünï", "tab\there", "\u2028", "k".repeat(256)];
    let n = 0;
    for (let call = 0; call < 12; call++) {
      const Records = Array.from({ length: 60 }, () => {
        const i = n++;
        return { PartitionKey: keys[i % keys.length]!, Data: Buffer.alloc((i * 37) % 3001, i & 255) };
      });
      await putRecords({ StreamName: "s", Records }, ctx);
      clock.advance(call % 3 === 0 ? 1 : 1234); // same and different arrival times
    }
    const lastBefore = (JSON.parse((await bytesOf(await getRecordsJsonBody({ ShardIterator: (await getShardIterator({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }, ctx)).ShardIterator!, Limit: 10_000 }, ctx))).text) as { Records: { SequenceNumber: string }[] }).Records.at(-1)!.SequenceNumber;
    const start = (await getShardIterator({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }, ctx)).ShardIterator!;
    let streamed = 0;
    for (const limit of [undefined, 1, 7, 250]) {
      let it: string | undefined = start;
      let pages = 0;
      while (it !== undefined && pages < 8) {
        const input = limit === undefined ? { ShardIterator: it } : { ShardIterator: it, Limit: limit };
        const planned = await bytesOf(await getRecordsJsonBody(input, ctx));
        const plain = getRecordsJson(await getRecords(input, ctx));
        const expected = await bytesOf(plain);
        assert.equal(planned.text, expected.text, `limit ${limit}, page ${pages}`);
        assert.equal(planned.declared, Buffer.byteLength(planned.text));
        if (planned.chunks > 1) streamed++;
        const page = JSON.parse(planned.text) as { Records: unknown[]; NextShardIterator?: string };
        if (page.Records.length === 0) break;
        it = page.NextShardIterator;
        pages++;
      }
    }
    assert.ok(streamed > 0, "a page bigger than one chunk was streamed");
    // Records as big as Kinesis takes (1 MiB of data): frames bigger than a read block.
    const big = (i: number): Buffer => Buffer.alloc(1024 * 1024 - 16, i);
    const bigPuts = [
      await putRecords({ StreamName: "s", Records: [{ PartitionKey: "big", Data: big(1) }, { PartitionKey: "small", Data: Buffer.from("x") }] }, ctx),
      await putRecords({ StreamName: "s", Records: [{ PartitionKey: "big", Data: big(2) }] }, ctx),
    ];
    assert.deepEqual(bigPuts.map((p) => p.FailedRecordCount ?? 0), [0, 0]);
    await putRecords({ StreamName: "s", Records: Array.from({ length: 300 }, (_, i) => ({ PartitionKey: "t", Data: Buffer.alloc(1000, i) })) }, ctx);
    let it: string | undefined = (await getShardIterator({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: lastBefore }, ctx)).ShardIterator!;
    for (let pages = 0; it !== undefined && pages < 6; pages++) {
      const planned = await bytesOf(await getRecordsJsonBody({ ShardIterator: it }, ctx));
      assert.equal(planned.text, (await bytesOf(getRecordsJson(await getRecords({ ShardIterator: it }, ctx)))).text, `big records, page ${pages}`);
      const page = JSON.parse(planned.text) as { Records: { Data: string }[]; NextShardIterator?: string };
      if (pages === 0) assert.equal(page.Records[1]?.Data, big(1).toString("base64"));
      if (page.Records.length === 0) break;
      it = page.NextShardIterator;
    }
    const stream = state.findStream("s")!;
    const log = await state.log(stream, state.shards(stream)[0]!);
    const plan = await log.planRead?.(0n, { maxRecords: 10, maxBytes: 1 << 30 }, () => undefined);
    assert.equal(plan?.count, 10, "reads from the files are planned");
    plan?.release();
  } finally {
    await state.close();
  }
});
