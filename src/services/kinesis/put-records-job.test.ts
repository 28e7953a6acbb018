import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { numberBlankFrames } from "../../storage/shard-log/frame-patch.js";
import { encodeBatch } from "../../storage/shard-log/frame.js";
import { evenRanges, partitionKeyHash } from "./hash-key.js";
import { run, type PlannedPutRecords } from "./put-records-job.js";
import { evenLayout, sharedBody } from "./test-kit.js";

const records = Array.from({ length: 40 }, (_v, i) => ({ Data: Buffer.from(`record ${i} `.repeat(i + 1)).toString("base64"), PartitionKey: `key-${i}-ü` }));
const body = JSON.stringify({ StreamName: "s", Records: records });

test("the job groups records by the stream's layout, as blank frames that number into encodeBatch's frames", () => {
  const layout = evenLayout(3);
  const plan = run({ ...sharedBody(body), layouts: new Map([["s", layout]]) }).value.plan as PlannedPutRecords;
  assert.ok(plan !== undefined);
  assert.equal(plan.count, records.length);
  assert.deepEqual(plan.layout, layout);
  const frames = Buffer.from(plan.frames);
  let at = 0;
  for (let g = 0; g < 3; g++) {
    const members = records.map((_r, i) => i).filter((i) => plan.group[i] === g);
    assert.equal(members.length, plan.groupCounts[g]);
    // Each record is in the shard its MD5 falls in.
    const range = evenRanges(3)[g]!;
    for (const i of members) {
      const key = partitionKeyHash(records[i]!.PartitionKey);
      assert.ok(range.start <= key && key <= range.end);
    }
    const bytes = plan.groupBytes[g]!;
    const got = Buffer.from(frames.subarray(at, at + bytes));
    numberBlankFrames(got, members.length, 1000, 1_700_000_000_000);
    const want = encodeBatch(
      members.map((i) => ({ timestamp: 1_700_000_000_000, partitionKey: records[i]!.PartitionKey, data: Buffer.from(records[i]!.Data, "base64") })),
      1000,
      0,
    ).buf;
    assert.ok(got.equals(want), `group ${g}`);
    at += bytes;
  }
});

test("without a known layout the records stay in request order; anything unusual is left to the main thread", () => {
  const plan = run({ ...sharedBody(body), layouts: new Map() }).value.plan as PlannedPutRecords;
  assert.equal(plan.layout, undefined);
  assert.deepEqual([...plan.place], records.map((_r, i) => i));
  assert.equal(run({ ...sharedBody('{"StreamName":"s","Records":[]}'), layouts: new Map() }).value.plan, undefined);
  assert.equal(run({ ...sharedBody('{"StreamName":"s","Records":[{"Data":"YQ==","PartitionKey":"k","ExplicitHashKey":"x"}]}'), layouts: new Map() }).value.plan, undefined);
  assert.equal(run({ ...sharedBody("not json"), layouts: new Map() }).value.plan, undefined);
});

test("the frames go into the given shared slab when they fit, else into a buffer of the plan's own", () => {
  const alone = run({ ...sharedBody(body), layouts: new Map() }).value.plan as PlannedPutRecords;
  assert.ok(!(alone.frames instanceof SharedArrayBuffer));
  assert.equal(alone.frames.byteLength, alone.frameBytes);
  const shared = sharedBody(body);
  // A JSON body's frames never take more bytes than the body.
  const slab = new SharedArrayBuffer(shared.length);
  const inSlab = run({ ...shared, layouts: new Map(), out: slab }).value.plan as PlannedPutRecords;
  assert.equal(inSlab.frames, slab);
  assert.ok(Buffer.from(slab, 0, inSlab.frameBytes).equals(Buffer.from(alone.frames)));
  const small = run({ ...sharedBody(body), layouts: new Map(), out: new SharedArrayBuffer(alone.frameBytes - 1) }).value.plan as PlannedPutRecords;
  assert.ok(!(small.frames instanceof SharedArrayBuffer));
  assert.ok(Buffer.from(small.frames).equals(Buffer.from(alone.frames)));
});

test("asked to, the job answers the body's SHA-256 (plan or not); else no hash", () => {
  for (const text of [body, "not json"]) {
    const args = sharedBody(text);
    const expected = createHash("sha256").update(Buffer.from(args.buffer, 0, args.length)).digest("hex");
    assert.equal(run({ ...args, layouts: new Map(), sha256: true }).value.sha256Hex, expected);
    assert.equal(run({ ...args, layouts: new Map() }).value.sha256Hex, undefined);
  }
});
