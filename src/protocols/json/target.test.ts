import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeJsonBody, ownEntry, targetOperation, unknownOperationMessage } from "./target.js";

test("targetOperation takes the operation after this service's prefix only", () => {
  assert.equal(targetOperation("Kinesis_20131202.PutRecord", "Kinesis_20131202"), "PutRecord");
  assert.equal(targetOperation("AWSGlue.GetTable", "Kinesis_20131202"), undefined);
  assert.equal(targetOperation("Kinesis_20131202", "Kinesis_20131202"), undefined);
  assert.equal(targetOperation("", "Kinesis_20131202"), undefined);
});

test("ownEntry never answers with an Object.prototype member", () => {
  const table: Record<string, number> = { PutRecord: 1 };
  assert.equal(ownEntry(table, "PutRecord"), 1);
  assert.equal(ownEntry(table, "toString"), undefined);
  assert.equal(ownEntry(table, "constructor"), undefined);
  assert.equal(ownEntry(table, undefined), undefined);
});

test("unknown targets and bodies are worded as the JSON services word them", () => {
  assert.equal(unknownOperationMessage(""), "Missing X-Amz-Target header.");
  assert.equal(unknownOperationMessage("X.Y"), "Unknown operation X.Y.");
  assert.deepEqual(decodeJsonBody(Buffer.alloc(0), (m) => new Error(m)), {});
  assert.deepEqual(decodeJsonBody(Buffer.from('{"a":1}'), (m) => new Error(m)), { a: 1 });
  assert.throws(() => decodeJsonBody(Buffer.from("{"), (m) => new Error(`SER: ${m}`)), /^Error: SER: Unable to parse the JSON request body\.$/);
});
