import assert from "node:assert/strict";
import { test } from "node:test";
import type { PutRecordsOutput } from "./shapes/types.js";
import { putRecordsAnswer, serializeOperationOutput } from "./wire.js";

test("PutRecords' answer is byte for byte what JSON.stringify writes", () => {
  const outputs: PutRecordsOutput[] = [
    { FailedRecordCount: 0, Records: [], EncryptionType: "NONE" },
    {
      FailedRecordCount: 1,
      Records: [
        { SequenceNumber: "49600871682957036442365024926191073437251060580128653314", ShardId: "shardId-000000000000" },
        { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: 'Rate exceeded for shard shardId-000000000001 in stream "s" under account 1.' },
        { SequenceNumber: "49600871682957036442365024926191073437251060580128653315", ShardId: "shardId-000000000001" },
        { SequenceNumber: "49600871682957036442365024926191073437251060580128653316", ShardId: "shardId-000000000001" },
        { SequenceNumber: "49600871682957036442365024926191073437251060580128653317", ShardId: "shard\"odd\u2028" },
      ],
      EncryptionType: "KMS",
    },
    { FailedRecordCount: 2, Records: [{ ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure." }, { SequenceNumber: "12x", ShardId: "a" }] },
  ];
  for (const out of outputs) {
    assert.equal(putRecordsAnswer(out), JSON.stringify(out));
    assert.equal(serializeOperationOutput("PutRecords", out, "json"), JSON.stringify(out));
  }
});
