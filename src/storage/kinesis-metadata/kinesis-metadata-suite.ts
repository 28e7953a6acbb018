import assert from "node:assert/strict";
import { test } from "node:test";
import { storeTests, type StoreSuiteOptions } from "../store-suite.js";
import { KinesisMetadataConflictError, type KinesisMetadataStore, type ShardRow, type StreamRow } from "./kinesis-metadata-store.js";

/** How the suite gets a fresh store, and (optionally) the same data reopened. */
export type SuiteOptions = StoreSuiteOptions<KinesisMetadataStore>;

function stream(name: string, id = `${name}-id`): StreamRow {
  return {
    id,
    name,
    status: "CREATING",
    statusUntil: 1000,
    mode: "PROVISIONED",
    retentionHours: 24,
    createdAt: 500,
    encryptionType: "NONE",
    keyId: null,
    shardLevelMetrics: [],
    maxRecordSizeKiB: 1024,
    nextShardIndex: 2,
    scalingHistory: [],
  };
}

function shard(streamId: string, index: number, start: bigint, end: bigint, extra: Partial<ShardRow> = {}): ShardRow {
  return {
    streamId,
    shardId: `shardId-${String(index).padStart(12, "0")}`,
    index,
    parentShardId: null,
    adjacentParentShardId: null,
    startingHashKey: start,
    endingHashKey: end,
    createdAt: 500,
    closedAt: null,
    endSeq: null,
    ...extra,
  };
}

const MAX = (1n << 128n) - 1n;
const HALF = 1n << 127n;

/** The contract every KinesisMetadataStore implementation must meet. */
export function runKinesisMetadataStoreSuite(options: SuiteOptions): void {
  const withStore = storeTests(options.create);

  test(`${options.name}: creates, reads, lists and updates streams`, withStore((s) => {
    s.createStream(stream("b"), [shard("b-id", 0, 0n, HALF - 1n), shard("b-id", 1, HALF, MAX)], { env: "test" });
    s.createStream(stream("a"), [shard("a-id", 0, 0n, MAX)], {});
    assert.deepEqual(s.listStreams().map((x) => x.name), ["a", "b"]);
    const b = s.getStream("b");
    assert.equal(b?.status, "CREATING");
    assert.equal(b?.statusUntil, 1000);
    s.updateStream("b-id", { status: "ACTIVE", statusUntil: null, retentionHours: 48, shardLevelMetrics: ["IncomingBytes"], scalingHistory: [1, 2] });
    const b2 = s.getStream("b");
    assert.equal(b2?.status, "ACTIVE");
    assert.equal(b2?.statusUntil, null);
    assert.equal(b2?.retentionHours, 48);
    assert.deepEqual(b2?.shardLevelMetrics, ["IncomingBytes"]);
    assert.deepEqual(b2?.scalingHistory, [1, 2]);
    assert.equal(s.getStream("missing"), undefined);
    assert.deepEqual(s.getTags("b-id"), { env: "test" });
  }));

  test(`${options.name}: refuses a second stream of the same name`, withStore((s) => {
    s.createStream(stream("x"), [], {});
    assert.throws(() => s.createStream(stream("x", "other-id"), [], {}), KinesisMetadataConflictError);
  }));

  test(`${options.name}: keeps 128-bit hash keys and shard order exactly`, withStore((s) => {
    s.createStream(stream("h"), [shard("h-id", 1, HALF, MAX), shard("h-id", 0, 0n, HALF - 1n)], {});
    const shards = s.listShards("h-id");
    assert.deepEqual(shards.map((x) => x.index), [0, 1]);
    assert.equal(shards[1]?.endingHashKey, MAX);
    assert.equal(shards[1]?.startingHashKey, HALF);
  }));

  test(`${options.name}: reshards atomically (close parents, add children, update stream)`, withStore((s) => {
    s.createStream(stream("r"), [shard("r-id", 0, 0n, MAX)], {});
    s.reshard("r-id", {
      close: [{ shardId: "shardId-000000000000", closedAt: 2000, endSeq: 42n }],
      add: [
        shard("r-id", 1, 0n, HALF - 1n, { parentShardId: "shardId-000000000000", createdAt: 2000 }),
        shard("r-id", 2, HALF, MAX, { parentShardId: "shardId-000000000000", createdAt: 2000 }),
      ],
      stream: { status: "UPDATING", statusUntil: 2500, nextShardIndex: 3 },
    });
    const shards = s.listShards("r-id");
    assert.equal(shards.length, 3);
    assert.equal(shards[0]?.closedAt, 2000);
    assert.equal(shards[0]?.endSeq, 42n);
    assert.equal(shards[2]?.parentShardId, "shardId-000000000000");
    assert.equal(s.getStream("r")?.nextShardIndex, 3);
    assert.equal(s.getStream("r")?.status, "UPDATING");
    s.removeShards("r-id", ["shardId-000000000000"]);
    assert.deepEqual(s.listShards("r-id").map((x) => x.index), [1, 2]);
  }));

  test(`${options.name}: tags are added, overwritten, listed by key and removed`, withStore((s) => {
    s.createStream(stream("t"), [], {});
    s.putTags("t-id", { b: "2", a: "1" });
    s.putTags("t-id", { b: "3" });
    assert.deepEqual(Object.entries(s.getTags("t-id")), [["a", "1"], ["b", "3"]]);
    s.removeTags("t-id", ["a", "nope"]);
    assert.deepEqual(s.getTags("t-id"), { b: "3" });
  }));

  test(`${options.name}: consumers are registered, found by name and ARN, updated and removed`, withStore((s) => {
    s.createStream(stream("c"), [], {});
    const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/c/consumer/app:1";
    s.createConsumer({ streamId: "c-id", name: "app", arn, createdAt: 10, status: "CREATING", statusUntil: 20 });
    s.createConsumer({ streamId: "c-id", name: "app2", arn: arn + "2", createdAt: 11, status: "CREATING", statusUntil: 21 });
    assert.throws(() => s.createConsumer({ streamId: "c-id", name: "app", arn: arn + "x", createdAt: 12, status: "CREATING", statusUntil: 22 }), KinesisMetadataConflictError);
    assert.equal(s.getConsumerByArn(arn)?.name, "app");
    s.updateConsumer("c-id", "app", { status: "ACTIVE", statusUntil: null });
    assert.equal(s.getConsumer("c-id", "app")?.status, "ACTIVE");
    assert.equal(s.getConsumer("c-id", "app")?.statusUntil, null);
    assert.deepEqual(s.listConsumers("c-id").map((c) => c.name), ["app", "app2"]);
    s.putTags(arn, { k: "v" });
    s.deleteConsumer("c-id", "app");
    assert.equal(s.getConsumerByArn(arn), undefined);
    assert.deepEqual(s.getTags(arn), {});
  }));

  test(`${options.name}: deleting a stream removes its shards, consumers and tags`, withStore((s) => {
    s.createStream(stream("d"), [shard("d-id", 0, 0n, MAX)], { a: "b" });
    const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/d/consumer/app:1";
    s.createConsumer({ streamId: "d-id", name: "app", arn, createdAt: 1, status: "ACTIVE", statusUntil: null });
    s.putTags(arn, { x: "y" });
    s.deleteStream("d-id");
    assert.equal(s.getStream("d"), undefined);
    assert.deepEqual(s.listShards("d-id"), []);
    assert.equal(s.getConsumerByArn(arn), undefined);
    assert.deepEqual(s.getTags("d-id"), {});
    assert.deepEqual(s.getTags(arn), {});
    s.createStream(stream("d", "d-id-2"), [], {});
    assert.equal(s.getStream("d")?.id, "d-id-2");
  }));

  test(`${options.name}: data survives reopening`, () => {
    const { store, reopen, cleanup } = options.create();
    try {
      if (reopen === undefined) return;
      store.createStream(stream("p"), [shard("p-id", 0, 0n, MAX)], { k: "v" });
      store.close();
      const again = reopen();
      try {
        assert.equal(again.getStream("p")?.id, "p-id");
        assert.equal(again.listShards("p-id")[0]?.endingHashKey, MAX);
        assert.deepEqual(again.getTags("p-id"), { k: "v" });
      } finally {
        again.close();
      }
    } finally {
      cleanup?.();
    }
  });
}
