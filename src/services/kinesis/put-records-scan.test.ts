import assert from "node:assert/strict";
import { test } from "node:test";
import { evenRanges, partitionKeyHash } from "./hash-key.js";
import { fromParsed, run, type PlannedPutRecords } from "./put-records-job.js";
import { scanPutRecords } from "./put-records-scan.js";
import { evenLayout, sharedBody } from "./test-kit.js";

const layouts = new Map([
  ["s", evenLayout(4)],
  ["arn:aws:kinesis:us-east-1:123456789012:stream/s", evenLayout(3)],
]);

/** The job's plan for `text`, and the general reader's, which must be the same. */
function plans(text: string): { fast: PlannedPutRecords | undefined; general: PlannedPutRecords | undefined } {
  const args = { ...sharedBody(text), layouts };
  const fast = run(args).value.plan;
  const general = fromParsed(Buffer.from(args.buffer, 0, args.length), layouts)?.value;
  return { fast, general };
}

function assertSamePlans(text: string, label: string): PlannedPutRecords | undefined {
  const { fast, general } = plans(text);
  assert.deepEqual(fast, general, label);
  if (fast !== undefined) assert.ok(Buffer.from(fast.frames).equals(Buffer.from(general!.frames)), label);
  return fast;
}

const b64 = (s: string): string => Buffer.from(s).toString("base64");
const records = Array.from({ length: 60 }, (_v, i) => ({ Data: b64("x".repeat(i * 7)), PartitionKey: `r1-${i}` }));

const taken: [string, string][] = [
  ["the SDK's shape", JSON.stringify({ StreamName: "s", Records: records })],
  ["keys before data, stream last", JSON.stringify({ Records: records.map((r) => ({ PartitionKey: r.PartitionKey, Data: r.Data })), StreamName: "s" })],
  ["by ARN", JSON.stringify({ StreamARN: "arn:aws:kinesis:us-east-1:123456789012:stream/s", Records: records })],
  ["unknown stream (no layout)", JSON.stringify({ StreamName: "other", Records: records })],
  ["whitespace everywhere", ` { "StreamName" : "s" ,\n "Records" : [ { "Data" : "${b64("ab")}" , "PartitionKey" : "k" } ,\t{"Data":"","PartitionKey":"${"p".repeat(256)}"} ] } \n`],
  ["keys of 55 and 56 bytes (one and two MD5 blocks)", JSON.stringify({ StreamName: "s", Records: [{ Data: b64("a"), PartitionKey: "k".repeat(55) }, { Data: b64("abc"), PartitionKey: "k".repeat(56) }] })],
  ["500 records", JSON.stringify({ StreamName: "s", Records: Array.from({ length: 500 }, (_v, i) => ({ Data: b64(`d${i}`), PartitionKey: `k${i}` })) })],
  ["a '-' or '_' outside the data", JSON.stringify({ StreamName: "a-b_c", Records: [{ Data: b64("hello"), PartitionKey: "-_-" }] })],
];

test("the byte-level reader takes the plain shape, and the plans are the general reader's", () => {
  for (const [label, text] of taken) {
    assert.ok(scanPutRecords(Buffer.from(text)) !== undefined, label);
    const plan = assertSamePlans(text, label);
    assert.ok(plan !== undefined, label);
  }
  // Routing by each key's MD5, as BigInt ranges say.
  const plan = assertSamePlans(taken[0]![1], "routing")!;
  const ranges = evenRanges(4);
  records.forEach((r, i) => {
    const key = partitionKeyHash(r.PartitionKey);
    const g = plan.group[i]!;
    assert.ok(ranges[g]!.start <= key && key <= ranges[g]!.end);
  });
});

const one = (record: string, top = '"StreamName":"s"'): string => `{${top},"Records":[${record}]}`;

const left: [string, string][] = [
  ["escape in a key", one('{"Data":"YQ==","PartitionKey":"k\\u0041"}')],
  ["escaped quote in a key", one('{"Data":"YQ==","PartitionKey":"k\\""}')],
  ["non-ASCII key", one('{"Data":"YQ==","PartitionKey":"ü"}')],
  ["DEL in a key", one('{"Data":"YQ==","PartitionKey":"k\x7f"}')],
  ["empty key", one('{"Data":"YQ==","PartitionKey":""}')],
  ["key of 257", one(`{"Data":"YQ==","PartitionKey":"${"k".repeat(257)}"}`)],
  ["ExplicitHashKey", one('{"Data":"YQ==","PartitionKey":"k","ExplicitHashKey":"7"}')],
  ["bad ExplicitHashKey", one('{"Data":"YQ==","PartitionKey":"k","ExplicitHashKey":"x"}')],
  ["unknown member", one('{"Data":"YQ==","PartitionKey":"k","Other":1}')],
  ["repeated member", one('{"Data":"YQ==","Data":"YQ==","PartitionKey":"k"}')],
  ["no data", one('{"PartitionKey":"k"}')],
  ["null data", one('{"Data":null,"PartitionKey":"k"}')],
  ["base64url '-'", one('{"Data":"-A==","PartitionKey":"k"}')],
  ["base64url '_'", one('{"Data":"_A==","PartitionKey":"k"}')],
  ["character outside the alphabet", one('{"Data":"YW*j","PartitionKey":"k"}')],
  ["whitespace in base64", one('{"Data":"YW Jj","PartitionKey":"k"}')],
  ["padding inside", one('{"Data":"YQ==YWJj","PartitionKey":"k"}')],
  ["spare bits set", one('{"Data":"YR==","PartitionKey":"k"}')],
  ["length not 4k", one('{"Data":"YWJ","PartitionKey":"k"}')],
  ["escape in data", one('{"Data":"YW\\/j","PartitionKey":"k"}')],
  ["no records", '{"StreamName":"s","Records":[]}'],
  ["501 records", JSON.stringify({ StreamName: "s", Records: Array.from({ length: 501 }, () => ({ Data: "", PartitionKey: "k" })) })],
  ["no Records", '{"StreamName":"s"}'],
  ["bad stream name", one('{"Data":"YQ==","PartitionKey":"k"}', '"StreamName":"a b"')],
  ["stream name with an escape", one('{"Data":"YQ==","PartitionKey":"k"}', '"StreamName":"\\u0073"')],
  ["repeated stream name", one('{"Data":"YQ==","PartitionKey":"k"}', '"StreamName":"s","StreamName":"t"')],
  ["unknown top-level member", one('{"Data":"YQ==","PartitionKey":"k"}', '"StreamName":"s","X":"y"')],
  ["trailing text", `${one('{"Data":"YQ==","PartitionKey":"k"}')}x`],
  ["cut short", one('{"Data":"YQ==","PartitionKey":"k"}').slice(0, -3)],
  ["cut inside a key", '{"StreamName":"s","Records":[{"Data":"YQ==","PartitionKey":"k'],
  ["cut inside data", '{"StreamName":"s","Records":[{"Data":"YQ='],
  ["not JSON", "nope"],
];

test("the byte-level reader leaves anything else to the general reader, with the same plans in the end", () => {
  for (const [label, text] of left) {
    if (label !== "character outside the alphabet" && label !== "whitespace in base64" && label !== "padding inside") {
      assert.equal(scanPutRecords(Buffer.from(text)), undefined, label);
    }
    assertSamePlans(text, label);
  }
});
