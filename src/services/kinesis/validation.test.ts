import assert from "node:assert/strict";
import { test } from "node:test";
import { KinesisError } from "./errors.js";
import { findViolations, parseInput, validateInput } from "./wire.js";

function errorOf(fn: () => void): KinesisError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof KinesisError);
    return err;
  }
  assert.fail("expected an error");
}

test("missing required members are reported as null values", () => {
  const e = errorOf(() => validateInput(parseInput({}, "PutRecordInput"), "PutRecordInput"));
  assert.equal(e.code, "ValidationException");
  assert.equal(
    e.message,
    "2 validation errors detected: Value null at 'data' failed to satisfy constraint: Member must not be null; " +
      "Value null at 'partitionKey' failed to satisfy constraint: Member must not be null",
  );
});

test("patterns and lengths are worded as the service words them", () => {
  const v = findViolations(parseInput({ StreamName: "", ShardCount: 0 }, "CreateStreamInput"), "CreateStreamInput");
  assert.deepEqual(v, [
    "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    "Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
  ]);
  const one = errorOf(() => validateInput({ StreamName: "a/b", ShardCount: 1 }, "CreateStreamInput"));
  assert.equal(one.message, "1 validation error detected: Value 'a/b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
});

test("list members are addressed as records.N.member.field, blobs by their Java buffer", () => {
  const input = parseInput({ StreamName: "s", Records: [{ Data: "", PartitionKey: "k" }, { Data: "AAAA", PartitionKey: "" }] }, "PutRecordsInput");
  assert.deepEqual(findViolations(input, "PutRecordsInput"), [
    "Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
  ]);
  const tooMany = { StreamName: "s", Records: Array.from({ length: 501 }, () => ({ Data: new Uint8Array(0), PartitionKey: "k" })) };
  assert.match(findViolations(tooMany, "PutRecordsInput")[0]!, /at 'records' failed to satisfy constraint: Member must have length less than or equal to 500$/);
});

test("enums list their allowed values", () => {
  const v = findViolations({ StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: "OLDEST" }, "GetShardIteratorInput");
  assert.deepEqual(v, [
    "Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]",
  ]);
});

test("at most 10 violations are reported", () => {
  const records = Array.from({ length: 20 }, () => ({ Data: new Uint8Array(0), PartitionKey: "" }));
  const e = errorOf(() => validateInput({ StreamName: "s", Records: records }, "PutRecordsInput"));
  assert.match(e.message, /^10 validation errors detected: /);
});

test("wrong JSON types are SerializationExceptions worded like the service's deserializer", () => {
  const cases: [unknown, string][] = [
    [{ StreamName: 5, ShardCount: 1 }, "class java.math.BigDecimal can not be converted to an String"],
    [{ StreamName: "s", ShardCount: "1" }, "class java.lang.String can not be converted to an Integer"],
    [{ StreamName: "s", ShardCount: true }, "class java.lang.Boolean can not be converted to an Integer"],
    [{ StreamName: ["s"] }, "Start of list found where not expected"],
    [{ StreamName: { a: 1 } }, "Start of structure or map found where not expected."],
  ];
  for (const [body, message] of cases) {
    const e = errorOf(() => parseInput(body, "CreateStreamInput"));
    assert.equal(e.code, "SerializationException");
    assert.equal(e.message, message);
  }
  const blob = errorOf(() => parseInput({ StreamName: "s", PartitionKey: "k", Data: "abc" }, "PutRecordInput"));
  assert.equal(blob.message, "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3");
});

test("JSON blobs are base64 and timestamps epoch seconds; CBOR gives bytes and Dates directly", () => {
  const json = parseInput({ StreamName: "s", ShardId: "0", ShardIteratorType: "AT_TIMESTAMP", Timestamp: 1700000000.5 }, "GetShardIteratorInput") as { Timestamp: Date };
  assert.equal(json.Timestamp.getTime(), 1_700_000_000_500);
  const rec = parseInput({ StreamName: "s", PartitionKey: "k", Data: "aGk=" }, "PutRecordInput") as { Data: Uint8Array };
  assert.equal(Buffer.from(rec.Data).toString(), "hi");
  const cbor = parseInput({ StreamName: "s", PartitionKey: "k", Data: new Uint8Array([1, 2]) }, "PutRecordInput") as { Data: Uint8Array };
  assert.deepEqual([...cbor.Data], [1, 2]);
});
