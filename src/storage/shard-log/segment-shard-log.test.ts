import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import type { ShardLogStore } from "./shard-log.js";
import { createSegmentShardLogStore } from "./segment-shard-log.js";
import type { SegmentShardLogStoreOptions } from "./segment-shard-log.js";
import { runShardLogStoreSuite } from "./shard-log-suite.js";
import { ShardLogCorruptError } from "./errors.js";
import { logDirFor } from "./log-paths.js";
import { WRITES_ARE_DURABLE } from "./segment.js";
import { PREPARE_BYTES } from "./prepared-tail.js";
import { tempRoots } from "./temp-roots.js";

runShardLogStoreSuite("segment files", async () => {
  const dir = await mkdtemp(join(tmpdir(), "shard-log-suite-"));
  return {
    openStore: (options) => createSegmentShardLogStore({ dir, ...options }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

const ALL = { maxRecords: 1_000_000, maxBytes: Number.MAX_SAFE_INTEGER };
const tempRoot = tempRoots("shard-log-seg-");

async function withStore<T>(options: SegmentShardLogStoreOptions, fn: (store: ShardLogStore) => Promise<T>): Promise<T> {
  const store = createSegmentShardLogStore(options);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const record = (i: number, ts = 1000 + i, size = 100): { timestamp: number; partitionKey: string; data: Buffer } => ({
  timestamp: ts,
  partitionKey: `pk${i}`,
  data: Buffer.alloc(size, `#${i}#`),
});

async function files(dir: string, suffix: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith(suffix)).sort();
}

describe("segment shard log: files on disk", () => {
  it("maps ids to directories under the root, whatever the id holds", async () => {
    const root = await tempRoot();
    const dirs = ["a/b", "..", "../x", "a/../..", "stream.v1/shardId-000000000001", "é/%2E"].map((id) => logDirFor(root, id));
    for (const d of dirs) assert.ok(d.startsWith(resolve(root) + sep), d);
    assert.equal(new Set(dirs).size, dirs.length);
    assert.equal(logDirFor(root, "s/shardId-1"), join(resolve(root), "s", "shardId-1.shardlog"));
    await withStore({ dir: root }, async (store) => {
      const log = await store.open("../../escape");
      await log.append([record(0)]);
      await store.remove("../../escape");
    });
    assert.deepEqual(await readdir(root), []);
  });

  it("writes one file per segment named by its first seq, an index per sealed segment, and deletes trimmed segments", async () => {
    const root = await tempRoot();
    const id = "s/shard";
    const dir = logDirFor(root, id);
    await withStore({ dir: root, segmentBytes: 1000 }, async (store) => {
      const log = await store.open(id);
      for (let i = 0; i < 30; i++) await log.append([record(i, 1000 + i)]); // ~130 bytes per frame
      const segs = await files(dir, ".seg");
      assert.ok(segs.length >= 4, segs.join());
      assert.equal(segs[0], "00000000000000000000.seg");
      assert.deepEqual(
        segs,
        [...segs].sort((a, b) => Number(a.slice(0, 20)) - Number(b.slice(0, 20))),
      );
      assert.equal(await log.trimBefore(1020), 20);
      const left = await files(dir, ".seg");
      assert.ok(left.length < segs.length);
      assert.ok(Number(left[0]!.slice(0, 20)) <= 20);
      assert.equal((await files(dir, ".idx")).length, left.length - 1);
      assert.ok((await readdir(dir)).includes("horizon.json"));
      // Trimming everything rolls the active segment, so its file can go too.
      assert.equal(await log.trimBefore(5000), 10);
      assert.deepEqual(await files(dir, ".seg"), ["00000000000000000030.seg"]);
      assert.deepEqual(await log.append([record(30)]), [30n]);
    });
  });

  it("rebuilds missing or damaged persisted indexes from the segments", async () => {
    const root = await tempRoot();
    const id = "s/idx";
    const dir = logDirFor(root, id);
    const opts = { dir: root, segmentBytes: 4096, indexEveryBytes: 300 };
    await withStore(opts, async (store) => {
      const log = await store.open(id);
      for (let i = 0; i < 200; i += 4) await log.append([0, 1, 2, 3].map((k) => record(i + k, 1000 + i + k, 50 + ((i + k) % 90))));
    });
    const idx = await files(dir, ".idx");
    assert.ok(idx.length >= 3);
    await rm(join(dir, idx[0]!));
    await writeFile(join(dir, idx[1]!), "garbage");
    const fh = await open(join(dir, idx[2]!), "r+");
    await fh.write(Buffer.from([0xff]), 0, 1, 60);
    await fh.close();
    await withStore(opts, async (store) => {
      const log = await store.open(id);
      const all = await log.read(0n, ALL);
      assert.equal(all.length, 200);
      all.forEach((r, i) => assert.equal(r.partitionKey, `pk${i}`));
      for (let i = 0; i < 200; i += 11) {
        assert.equal((await log.read(BigInt(i), { maxRecords: 1, maxBytes: 1 }))[0]!.seq, BigInt(i));
        assert.equal(await log.seekTimestamp(1000 + i), BigInt(i));
      }
    });
    assert.deepEqual(await files(dir, ".idx"), idx);
  });

  it("fails reads that reach a corrupt frame in a sealed segment instead of skipping it", async () => {
    const root = await tempRoot();
    const id = "s/corrupt";
    const dir = logDirFor(root, id);
    const opts = { dir: root, segmentBytes: 2000, indexEveryBytes: 256 };
    await withStore(opts, async (store) => {
      const log = await store.open(id);
      for (let i = 0; i < 60; i++) await log.append([record(i)]);
    });
    const first = join(dir, (await files(dir, ".seg"))[0]!);
    const frameBytes = 26 + 3 + 100; // header + "pkN" + data, for i < 10
    const fh = await open(first, "r+");
    await fh.write(Buffer.from("XX"), 0, 2, 5 * frameBytes + 60); // inside record 5's data
    await fh.close();
    await withStore(opts, async (store) => {
      const log = await store.open(id);
      assert.deepEqual(
        (await log.read(0n, { maxRecords: 5, maxBytes: 1e9 })).map((r) => r.seq),
        [0n, 1n, 2n, 3n, 4n],
      );
      await assert.rejects(log.read(0n, ALL), ShardLogCorruptError);
      await assert.rejects(log.read(5n, ALL), ShardLogCorruptError);
      assert.equal((await log.read(20n, ALL)).length, 40);
    });
  });

  it("shares fsyncs between concurrent appenders (group commit)", async () => {
    const root = await tempRoot();
    // Counts FileHandle writes, so small commits stay off the log's own write threads here.
    await withStore({ dir: root, writeThreads: false }, async (store) => {
      const log = await store.open("s/group");
      await log.append([record(0)]);
      // Count the durable writes on the FileHandle class of this Node: writev calls where the
      // writer handle has O_DSYNC, datasync calls elsewhere.
      const probe = await open(join(root, "probe"), "w");
      const proto = Object.getPrototypeOf(probe) as Record<"datasync" | "writev", (...args: unknown[]) => Promise<unknown>>;
      await probe.close();
      const method = WRITES_ARE_DURABLE ? "writev" : "datasync";
      const original = proto[method];
      let syncs = 0;
      proto[method] = function (this: unknown, ...args: unknown[]) {
        syncs++;
        return original.apply(this, args);
      };
      try {
        const seqs = await Promise.all(Array.from({ length: 64 }, (_, i) => log.append([record(i + 1), record(i + 1)])));
        assert.deepEqual(seqs[63], [127n, 128n]);
      } finally {
        proto[method] = original;
      }
      assert.ok(syncs >= 1 && syncs <= 3, `64 concurrent appends used ${syncs} durable writes`);
    });
  });

  it("writes zeros ahead of small commits, overwrites them with the next frames, and cuts them silently on open", async () => {
    const root = await tempRoot();
    const id = "s/prepared";
    const dir = logDirFor(root, id);
    const frame = 26 + "pk0".length + 100;
    const warnings: string[] = [];
    const logger = { info: () => undefined, debug: () => undefined, warn: (m: string) => void warnings.push(m), error: (m: string) => void warnings.push(m) };
    await withStore({ dir: root, logger }, async (store) => {
      const log = await store.open(id);
      await log.append([record(0)]);
      const seg = join(dir, "00000000000000000000.seg");
      assert.equal((await stat(seg)).size, frame + PREPARE_BYTES);
      for (let i = 1; i < 10; i++) await log.append([record(i)]);
      assert.equal((await stat(seg)).size, frame + PREPARE_BYTES, "later commits overwrite the zeros");
      assert.equal((await log.read(0n, ALL)).length, 10);
    });
    await withStore({ dir: root, logger }, async (store) => {
      const log = await store.open(id);
      assert.deepEqual(warnings, []);
      assert.equal((await stat(join(dir, "00000000000000000000.seg"))).size, 10 * frame, "cut back to the frames");
      assert.deepEqual(
        (await log.read(0n, ALL)).map((r) => r.partitionKey),
        Array.from({ length: 10 }, (_, i) => `pk${i}`),
      );
      assert.deepEqual(await log.append([record(10)]), [10n]);
    });
  });

  it("lets a reader at the tip wait for the append in flight, and shows it only once durable", async () => {
    const root = await tempRoot();
    // Holds a FileHandle write, so small commits stay off the log's own write threads here.
    await withStore({ dir: root, writeThreads: false }, async (store) => {
      const log = await store.open("s/in-flight");
      assert.ok(log.whenInFlightDurable !== undefined);
      await log.append([record(0)]);
      assert.equal(log.whenInFlightDurable(1n, 1000), undefined, "nothing in flight");
      // Hold the next durable write until released, so the append stays in flight.
      const probe = await open(join(root, "probe"), "w");
      const proto = Object.getPrototypeOf(probe) as Record<"datasync" | "writev", (...args: unknown[]) => Promise<unknown>>;
      await probe.close();
      const method = WRITES_ARE_DURABLE ? "writev" : "datasync";
      const original = proto[method];
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      proto[method] = async function (this: unknown, ...args: unknown[]) {
        await released;
        return original.apply(this, args);
      };
      let appended: Promise<readonly bigint[]>;
      try {
        appended = log.append([record(1)]);
        assert.equal(log.whenInFlightDurable(0n, 1000), undefined, "seq 0 is readable now");
        const timesOut = log.whenInFlightDurable(1n, 5);
        assert.ok(timesOut !== undefined);
        await timesOut; // the write is held
        assert.deepEqual(await log.read(1n, ALL), [], "not durable yet");
        const waiting = log.whenInFlightDurable(1n, 60_000);
        assert.ok(waiting !== undefined);
        let settled = false;
        void waiting.then(() => (settled = true));
        await new Promise((r) => setImmediate(r));
        assert.equal(settled, false);
        release();
        await waiting;
        assert.deepEqual((await log.read(1n, ALL)).map((r) => r.seq), [1n]);
        assert.deepEqual(await appended, [1n]);
      } finally {
        release();
        proto[method] = original;
      }
      assert.equal(log.whenInFlightDurable(2n, 1000), undefined, "nothing in flight again");
    });
  });

  it("keeps record data of sealed segments readable while many logs share a small handle pool", async () => {
    const root = await tempRoot();
    await withStore({ dir: root, segmentBytes: 600, maxOpenFiles: 2 }, async (store) => {
      const logs = await Promise.all([0, 1, 2, 3].map((k) => store.open(`pool/shard-${k}`)));
      for (let i = 0; i < 20; i++) await Promise.all(logs.map((log, k) => log.append([record(i * 10 + k)])));
      const reads = await Promise.all(logs.flatMap((log) => [0n, 7n, 13n].map((from) => log.read(from, ALL))));
      reads.forEach((page, j) => {
        const k = Math.floor(j / 3);
        const from = [0, 7, 13][j % 3]!;
        assert.equal(page.length, 20 - from);
        page.forEach((r, n) => assert.equal(r.partitionKey, `pk${(from + n) * 10 + k}`));
      });
    });
  });

  it("survives a crash between persisting the horizon and deleting segments", async () => {
    const root = await tempRoot();
    const id = "s/late-delete";
    const dir = logDirFor(root, id);
    await withStore({ dir: root, segmentBytes: 500 }, async (store) => {
      const log = await store.open(id);
      for (let i = 0; i < 20; i++) await log.append([record(i)]);
    });
    // Simulate: horizon written, segments not yet removed.
    await writeFile(join(dir, "horizon.json"), JSON.stringify({ horizon: 12 }));
    const before = (await files(dir, ".seg")).length;
    await withStore({ dir: root, segmentBytes: 500 }, async (store) => {
      const log = await store.open(id);
      assert.equal(log.firstSeq(), 12n);
      assert.equal((await log.read(0n, ALL))[0]!.seq, 12n);
    });
    const after = await files(dir, ".seg");
    assert.ok(after.length < before);
    assert.ok(Number(after[0]!.slice(0, 20)) <= 12);
    assert.ok((await stat(join(dir, after[0]!))).size > 0);
  });
});
