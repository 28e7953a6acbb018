import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FirehoseLambda } from "../deps.js";
import type { SourceRecord } from "../sources.js";
import { interpretResponse, transformRecords } from "./transform.js";

const json = (v: unknown): Uint8Array => new Uint8Array(Buffer.from(JSON.stringify(v)));
const rec = (i: number): SourceRecord => ({ lane: "spool", position: BigInt(i), arrival: 1000 + i, data: new Uint8Array(Buffer.from(`r${i}`)) });
const req = { accountId: "000000000000", region: "us-east-1", deliveryStreamArn: "arn:aws:firehose:us-east-1:000000000000:deliverystream/s", sourceKinesisStreamArn: undefined, functionArn: "arn:aws:lambda:us-east-1:000000000000:function:f", retries: 2 };

describe("Lambda transformation contract", () => {
  it("maps Ok, Dropped and ProcessingFailed, with partition keys", () => {
    const out = interpretResponse(
      json({
        records: [
          { recordId: "a", result: "Ok", data: Buffer.from("A").toString("base64"), metadata: { partitionKeys: { k: "v", n: 1 } } },
          { recordId: "b", result: "Dropped" },
          { recordId: "c", result: "ProcessingFailed" },
          { recordId: "d", result: "Maybe" },
        ],
      }),
      ["a", "b", "c", "d", "e"],
      1,
    );
    assert.deepEqual(out[0], { kind: "ok", data: new Uint8Array(Buffer.from("A")), partitionKeys: { k: "v", n: "1" } });
    assert.deepEqual(out[1], { kind: "dropped" });
    assert.equal(out[2]!.kind === "failed" && out[2]!.errorCode, "Lambda.ProcessingFailedStatus");
    assert.equal(out[3]!.kind === "failed" && out[3]!.errorCode, "Lambda.InvalidReturnFormat");
    assert.equal(out[4]!.kind === "failed" && out[4]!.errorCode, "Lambda.MissingRecordId");
    assert.equal(interpretResponse(json({ nope: 1 }), ["a"], 1)[0]!.kind === "failed", true);
  });
  it("sends the event Firehose sends and retries failed invocations", async () => {
    const events: unknown[] = [];
    let calls = 0;
    const lambda: FirehoseLambda = {
      async invoke(_a, fn, payload) {
        calls++;
        const e = JSON.parse(Buffer.from(payload).toString()) as { records: { recordId: string; data: string; approximateArrivalTimestamp: number }[]; deliveryStreamArn: string; region: string; invocationId: string };
        events.push(e);
        assert.equal(fn, req.functionArn);
        if (calls < 2) return { statusCode: 200, functionError: "Unhandled", payload: json({ errorMessage: "boom" }) };
        return { statusCode: 200, functionError: undefined, payload: json({ records: e.records.map((r) => ({ recordId: r.recordId, result: "Ok", data: r.data })) }) };
      },
    };
    const out = await transformRecords(lambda, req, [rec(1), rec(2)], new AbortController().signal);
    assert.equal(calls, 2);
    assert.deepEqual(out.map((o) => o.kind), ["ok", "ok"]);
    const e = events[0] as { records: { approximateArrivalTimestamp: number; data: string }[]; deliveryStreamArn: string; region: string; invocationId: string };
    assert.equal(e.deliveryStreamArn, req.deliveryStreamArn);
    assert.equal(e.region, "us-east-1");
    assert.match(e.invocationId, /^[0-9a-f-]{36}$/);
    assert.equal(e.records[0]!.approximateArrivalTimestamp, 1001);
    assert.equal(Buffer.from(e.records[1]!.data, "base64").toString(), "r2");
  });
  it("fails the whole batch once the retries are spent", async () => {
    const lambda: FirehoseLambda = { invoke: () => Promise.reject(Object.assign(new Error("Function not found"), { code: "ResourceNotFoundException" })) };
    const out = await transformRecords(lambda, req, [rec(1)], new AbortController().signal);
    assert.deepEqual(out, [{ kind: "failed", errorCode: "Lambda.ResourceNotFound", errorMessage: `Error invoking the Lambda function ${req.functionArn}: Function not found`, attempts: 3 }]);
  });
});
