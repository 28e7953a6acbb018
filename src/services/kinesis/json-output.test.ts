import assert from "node:assert/strict";
import { test } from "node:test";
import { toJsonBody } from "../../protocols/json/serialize.js";
import { emptyPollJson, getRecordsJson, putRecordsJson, RECORDS_CHUNK_BYTES, type StreamedJson } from "./json-output.js";
import { bytesOf } from "./test-kit.js";
import type { GetRecordsOutput, PutRecordsOutput } from "./shapes/types.js";

test("putRecordsJson writes the general serializer's bytes", () => {
  const outputs: PutRecordsOutput[] = [
    {
      FailedRecordCount: 1,
      Records: [
        { SequenceNumber: "49600871682957036442365024926191073437251060580128653314", ShardId: "shardId-000000000001" },
        { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: 'Rate exceeded for shard shardId-000000000001 in stream "q" under account 1.' },
      ],
      EncryptionType: "NONE",
    },
    { Records: [] },
    { FailedRecordCount: 0, Records: [{ SequenceNumber: "1", ShardId: "shardId-000000000000" }] },
  ];
  for (const out of outputs) assert.equal(putRecordsJson(out), toJsonBody(out));
});

test("getRecordsJson writes the general serializer's bytes, for any data, keys and trailing members", async () => {
  const record = (i: number, size: number, pk: string): GetRecordsOutput["Records"][number] => ({
    SequenceNumber: `4960087168295703644236502492619107343725106058012865${3314 + i}`,
    ApproximateArrivalTimestamp: new Date(1_700_000_000_123 + i),
    Data: Buffer.alloc(size, i),
    PartitionKey: pk,
  });
  const outputs: GetRecordsOutput[] = [
    { Records: [], MillisBehindLatest: 0, NextShardIterator: "AAAA+/==" },
    { Records: [record(0, 0, "k"), record(1, 1, "ü\u{1F600}\"\\\n"), record(2, 2, "k2\u007f\uD800"), record(3, 1024, "k3")], MillisBehindLatest: 12, NextShardIterator: "it" },
    { Records: [{ ...record(4, 5, "k"), EncryptionType: "KMS" }], MillisBehindLatest: 0, ChildShards: [{ ShardId: "shardId-000000000002", ParentShards: ["shardId-000000000000"], HashKeyRange: { StartingHashKey: "0", EndingHashKey: "9" } }] },
    { Records: [{ SequenceNumber: "1", Data: new Uint8Array([1, 2, 3, 4]), PartitionKey: "p" }] },
    { Records: [record(5, 100_000, "big")], MillisBehindLatest: 0 },
    { Records: [record(6, RECORDS_CHUNK_BYTES, "bigger than a chunk"), record(7, 3, "small")], MillisBehindLatest: 0 },
    { Records: Array.from({ length: 900 }, (_v, i) => record(i, 1000 + (i % 7), `pk-${i}`)), MillisBehindLatest: 5, NextShardIterator: "next" },
    { Records: Array.from({ length: 300 }, (_v, i) => record(i, 1024, `é-${i}`)) },
  ];
  for (const out of outputs) {
    const expected = toJsonBody(out);
    const got = await bytesOf(getRecordsJson(out));
    assert.equal(got.text, expected);
    assert.equal(got.declared, Buffer.byteLength(expected));
    if (got.declared > RECORDS_CHUNK_BYTES) assert.ok(got.chunks > 1);
  }
});

test("emptyPollJson writes getRecordsJson's bytes for a poll at the tip", () => {
  const cases: [number, string][] = [
    [0, "AgAAAYv/abc+/=="],
    [1234, "x".repeat(300)],
    [0, 'needs "escaping"'],
  ];
  for (const [behind, it] of cases) {
    const out: GetRecordsOutput = { Records: [], MillisBehindLatest: behind, NextShardIterator: it };
    assert.deepEqual(emptyPollJson(behind, it), getRecordsJson(out));
    assert.deepEqual(emptyPollJson(behind, it), Buffer.from(toJsonBody(out) as string, "utf8"));
  }
});
