import assert from "node:assert/strict";
import { test } from "node:test";
import { createTestKinesis, rejects } from "../test-kit.js";
import { addTagsToStream } from "./add-tags-to-stream.js";
import { createStream } from "./create-stream.js";
import { decreaseStreamRetentionPeriod } from "./decrease-stream-retention-period.js";
import { deleteStream } from "./delete-stream.js";
import { describeLimits } from "./describe-limits.js";
import { describeStream } from "./describe-stream.js";
import { describeStreamSummary } from "./describe-stream-summary.js";
import { increaseStreamRetentionPeriod } from "./increase-stream-retention-period.js";
import { listShards } from "./list-shards.js";
import { listStreams } from "./list-streams.js";
import { listTagsForStream } from "./list-tags-for-stream.js";
import { removeTagsFromStream } from "./remove-tags-from-stream.js";
import { updateStreamMode } from "./update-stream-mode.js";

test("a stream is CREATING (no shards shown), then ACTIVE once the clock passes the delay", async () => {
  const k = createTestKinesis();
  await createStream({ StreamName: "s", ShardCount: 3 }, k.ctx);
  const creating = await describeStream({ StreamName: "s" }, k.ctx);
  assert.equal(creating.StreamDescription.StreamStatus, "CREATING");
  assert.deepEqual(creating.StreamDescription.Shards, []);
  k.clock.advance(k.state.options.transitionDelayMs);
  const active = await describeStream({ StreamName: "s" }, k.ctx);
  assert.equal(active.StreamDescription.StreamStatus, "ACTIVE");
  assert.equal(active.StreamDescription.StreamARN, "arn:aws:kinesis:us-east-1:123456789012:stream/s");
  assert.equal(active.StreamDescription.RetentionPeriodHours, 24);
  assert.deepEqual(
    active.StreamDescription.Shards.map((s) => [s.ShardId, s.HashKeyRange.StartingHashKey]),
    [
      ["shardId-000000000000", "0"],
      ["shardId-000000000001", "113427455640312821154458202477256070485"],
      ["shardId-000000000002", "226854911280625642308916404954512140970"],
    ],
  );
  assert.equal(active.StreamDescription.HasMoreShards, false);
});

test("creating an existing stream, or going over the shard limit, is refused", async () => {
  const k = createTestKinesis({ shardLimit: 5 });
  await k.activeStream("s", 2);
  await rejects(createStream({ StreamName: "s", ShardCount: 1 }, k.ctx), "ResourceInUseException", /Stream s under account 123456789012 already exists/);
  await rejects(createStream({ StreamName: "t", ShardCount: 4 }, k.ctx), "LimitExceededException", /Current shard count for the account: 2. Limit: 5/);
  await rejects(createStream({ StreamName: "u" }, k.ctx), "ValidationException");
});

test("StreamARN addresses a stream like its name", async () => {
  const k = createTestKinesis();
  await k.activeStream("arn-test");
  const byArn = await describeStreamSummary({ StreamARN: "arn:aws:kinesis:us-east-1:123456789012:stream/arn-test" }, k.ctx);
  assert.equal(byArn.StreamDescriptionSummary.StreamName, "arn-test");
  assert.equal(byArn.StreamDescriptionSummary.OpenShardCount, 1);
  await rejects(describeStreamSummary({}, k.ctx), "InvalidArgumentException");
  await rejects(describeStreamSummary({ StreamName: "nope" }, k.ctx), "ResourceNotFoundException", /^Stream nope under account 123456789012 not found\.$/);
});

test("DELETING hides the stream from data calls, then it is gone and the name is free again", async () => {
  const k = createTestKinesis();
  await k.activeStream("gone");
  await deleteStream({ StreamName: "gone" }, k.ctx);
  assert.equal((await describeStream({ StreamName: "gone" }, k.ctx)).StreamDescription.StreamStatus, "DELETING");
  k.settle();
  await rejects(describeStream({ StreamName: "gone" }, k.ctx), "ResourceNotFoundException");
  await k.state.drainRemovals();
  await k.activeStream("gone");
  assert.equal((await describeStream({ StreamName: "gone" }, k.ctx)).StreamDescription.StreamStatus, "ACTIVE");
});

test("control-plane changes need an ACTIVE stream", async () => {
  const k = createTestKinesis();
  await createStream({ StreamName: "busy", ShardCount: 1 }, k.ctx);
  await rejects(increaseStreamRetentionPeriod({ StreamName: "busy", RetentionPeriodHours: 48 }, k.ctx), "ResourceInUseException", /not ACTIVE, instead in state CREATING/);
});

test("ListStreams pages by name with summaries", async () => {
  const k = createTestKinesis();
  for (const n of ["c", "a", "b"]) await k.activeStream(n);
  const first = await listStreams({ Limit: 2 }, k.ctx);
  assert.deepEqual(first.StreamNames, ["a", "b"]);
  assert.equal(first.HasMoreStreams, true);
  assert.equal(first.StreamSummaries?.[0]?.StreamStatus, "ACTIVE");
  const second = await listStreams({ NextToken: first.NextToken! }, k.ctx);
  assert.deepEqual(second.StreamNames, ["c"]);
  assert.equal(second.HasMoreStreams, false);
  assert.deepEqual((await listStreams({ ExclusiveStartStreamName: "a" }, k.ctx)).StreamNames, ["b", "c"]);
});

test("ListShards pages with NextToken, which expires after 300 seconds", async () => {
  const k = createTestKinesis();
  await k.activeStream("many", 5);
  const first = await listShards({ StreamName: "many", MaxResults: 2 }, k.ctx);
  assert.deepEqual(first.Shards?.map((s) => s.ShardId), ["shardId-000000000000", "shardId-000000000001"]);
  const second = await listShards({ NextToken: first.NextToken!, MaxResults: 10 }, k.ctx);
  assert.deepEqual(second.Shards?.map((s) => s.ShardId.slice(-1)), ["2", "3", "4"]);
  assert.equal(second.NextToken, undefined);
  await rejects(listShards({ NextToken: first.NextToken!, StreamName: "many" }, k.ctx), "InvalidArgumentException");
  k.clock.advance(300_001);
  await rejects(listShards({ NextToken: first.NextToken! }, k.ctx), "ExpiredNextTokenException");
  const after = await listShards({ StreamName: "many", ShardFilter: { Type: "AFTER_SHARD_ID", ShardId: "shardId-000000000003" } }, k.ctx);
  assert.deepEqual(after.Shards?.map((s) => s.ShardId), ["shardId-000000000004"]);
});

test("retention moves within 24..8760 hours, up by Increase and down by Decrease only", async () => {
  const k = createTestKinesis();
  await k.activeStream("r");
  await increaseStreamRetentionPeriod({ StreamName: "r", RetentionPeriodHours: 168 }, k.ctx);
  assert.equal((await describeStreamSummary({ StreamName: "r" }, k.ctx)).StreamDescriptionSummary.RetentionPeriodHours, 168);
  await rejects(increaseStreamRetentionPeriod({ StreamName: "r", RetentionPeriodHours: 48 }, k.ctx), "InvalidArgumentException", /can not be shorter than existing retention period \(168 hours\)/);
  await rejects(increaseStreamRetentionPeriod({ StreamName: "r", RetentionPeriodHours: 9000 }, k.ctx), "InvalidArgumentException", /Maximum allowed retention period is 8760 hours/);
  await rejects(decreaseStreamRetentionPeriod({ StreamName: "r", RetentionPeriodHours: 12 }, k.ctx), "InvalidArgumentException", /Minimum allowed retention period is 24 hours/);
  await decreaseStreamRetentionPeriod({ StreamName: "r", RetentionPeriodHours: 24 }, k.ctx);
  assert.equal((await describeStreamSummary({ StreamName: "r" }, k.ctx)).StreamDescriptionSummary.RetentionPeriodHours, 24);
});

test("tags are added, listed in key order with paging, removed, and capped at 50", async () => {
  const k = createTestKinesis();
  await k.activeStream("t");
  await addTagsToStream({ StreamName: "t", Tags: { b: "2", a: "1", c: "" } }, k.ctx);
  const page = await listTagsForStream({ StreamName: "t", Limit: 2 }, k.ctx);
  assert.deepEqual(page.Tags, [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }]);
  assert.equal(page.HasMoreTags, true);
  assert.deepEqual((await listTagsForStream({ StreamName: "t", ExclusiveStartTagKey: "b" }, k.ctx)).Tags, [{ Key: "c", Value: "" }]);
  await removeTagsFromStream({ StreamName: "t", TagKeys: ["a", "c"] }, k.ctx);
  assert.deepEqual((await listTagsForStream({ StreamName: "t" }, k.ctx)).Tags, [{ Key: "b", Value: "2" }]);
  const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
  await rejects(addTagsToStream({ StreamName: "t", Tags: many }, k.ctx), "InvalidArgumentException", /cannot have more than 50 tags/);
});

test("DescribeLimits counts open shards and on-demand streams", async () => {
  const k = createTestKinesis();
  await k.activeStream("p", 3);
  await createStream({ StreamName: "od", StreamModeDetails: { StreamMode: "ON_DEMAND" } }, k.ctx);
  k.settle();
  const limits = await describeLimits({}, k.ctx);
  assert.deepEqual(limits, { ShardLimit: 500, OpenShardCount: 7, OnDemandStreamCount: 1, OnDemandStreamCountLimit: 50 });
  await updateStreamMode({ StreamARN: "arn:aws:kinesis:us-east-1:123456789012:stream/p", StreamModeDetails: { StreamMode: "ON_DEMAND" } }, k.ctx);
  assert.equal((await describeStreamSummary({ StreamName: "p" }, k.ctx)).StreamDescriptionSummary.StreamStatus, "UPDATING");
  k.settle();
  assert.equal((await describeStreamSummary({ StreamName: "p" }, k.ctx)).StreamDescriptionSummary.StreamModeDetails?.StreamMode, "ON_DEMAND");
});
