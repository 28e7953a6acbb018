import assert from "node:assert/strict";
import { test } from "node:test";
import type { ShardRow, StreamRow } from "../../storage/kinesis-metadata/kinesis-metadata-store.js";
import type { PlannedOutcome } from "./put-planned.js";
import { plannedAnswer, renderedPutRecordsAnswer } from "./put-records-answer.js";
import { recordSequenceNumber } from "./sequence-number.js";
import { putRecordsAnswer, serializeOperationOutput } from "./wire.js";

function shard(index: number, createdAt: number): ShardRow {
  return {
    streamId: "id",
    shardId: `shardId-${String(index).padStart(12, "0")}`,
    index,
    parentShardId: null,
    adjacentParentShardId: null,
    startingHashKey: 0n,
    endingHashKey: 0n,
    createdAt,
    closedAt: null,
    endSeq: null,
  };
}

/** `n` records spread over `shards` in a scrambled order, each shard's run from `firstSeqs[k]`. */
function outcome(shards: ShardRow[], firstSeqs: (bigint | undefined)[], n: number, fail: number[] = []): PlannedOutcome {
  const shardOf = new Int32Array(n);
  const slot = new Uint32Array(n);
  const counts = new Uint32Array(shards.length);
  const errors: PlannedOutcome["errors"] = new Array(n);
  for (let i = 0; i < n; i++) {
    const k = (i * 7 + (i >> 3)) % shards.length;
    if (fail.includes(i) || firstSeqs[k] === undefined) {
      shardOf[i] = -1;
      errors[i] = { errorCode: "ProvisionedThroughputExceededException", errorMessage: `Rate exceeded for record ${i}.` };
      continue;
    }
    shardOf[i] = k;
    slot[i] = counts[k]!++;
  }
  return { shards, firstSeqs, counts, shardOf, slot, errors };
}

const stream = (encryptionType: "NONE" | "KMS"): StreamRow => ({ encryptionType }) as StreamRow;

test("the planned answer's JSON is the general writer's, byte for byte, and its entries are the usual numbers", () => {
  const shards = [shard(0, 1_700_000_000_123), shard(1, 1_700_000_000_123), shard(2, 1_700_000_500_000), shard(17, 1_600_000_000_000)];
  // Seqs from 0, past limb and digit-carry boundaries, and near the top of the position range.
  for (const firstSeqs of [[0n, 1n, 2n, 3n], [9_999_999n, 123_456_789_012n, 0n, 2n ** 40n], [2n ** 62n, 2n ** 53n - 1n, 2n ** 62n + 12345n, 99n]]) {
    for (const enc of ["NONE", "KMS"] as const) {
      const o = outcome(shards, firstSeqs, 500);
      const out = plannedAnswer(o, stream(enc));
      const rendered = renderedPutRecordsAnswer(out);
      assert.ok(rendered !== undefined);
      assert.equal(rendered.toString("utf8"), putRecordsAnswer(out));
      assert.equal(rendered.toString("utf8"), JSON.stringify(out));
      assert.deepEqual(serializeOperationOutput("PutRecords", out, "json"), rendered);
      for (let i = 0; i < 500; i++) {
        const k = o.shardOf[i]!;
        const want = recordSequenceNumber(shards[k]!.createdAt, shards[k]!.index, firstSeqs[k]! + BigInt(o.slot[i]!));
        assert.deepEqual(out.Records[i], { SequenceNumber: want, ShardId: shards[k]!.shardId });
      }
    }
  }
});

test("an answer with failed records is left to the general writer", () => {
  const shards = [shard(0, 1_700_000_000_000), shard(1, 1_700_000_000_000)];
  const o = outcome(shards, [5n, undefined], 20, [3]);
  const out = plannedAnswer(o, stream("NONE"));
  assert.equal(renderedPutRecordsAnswer(out), undefined);
  assert.equal(out.FailedRecordCount, o.shardOf.filter((k) => k < 0).length);
  assert.ok(out.FailedRecordCount > 1 && out.FailedRecordCount < 20);
  assert.deepEqual(out.Records[3], { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for record 3." });
  assert.equal(serializeOperationOutput("PutRecords", out, "json"), JSON.stringify(out));
  assert.deepEqual(Object.keys(out), ["FailedRecordCount", "Records", "EncryptionType"]);
});
