import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AppendInput, LogRecord, ShardLog, ShardLogStore } from "./shard-log.js";

/** Store tuning a test may ask for (implementations without segments ignore it). */
export interface SuiteStoreOptions {
  readonly segmentBytes?: number;
  readonly indexEveryBytes?: number;
}

/** How the shared suite gets stores of one implementation. */
export interface ShardLogStoreHarness {
  /**
   * A store over this harness's storage. Calling it again after closing the previous store
   * must see the same logs: that is how the suite simulates a restart.
   */
  openStore(options?: SuiteStoreOptions): ShardLogStore;
  /** Deletes everything the harness created. */
  cleanup(): Promise<void>;
}

const ALL = { maxRecords: 1_000_000, maxBytes: Number.MAX_SAFE_INTEGER };

/** A record whose payload encodes its index, so order mistakes show. */
function rec(i: number, ts: number, size = 16): AppendInput {
  const data = Buffer.alloc(size, `r${i};`);
  return { timestamp: ts, partitionKey: `pk-${i % 7}`, data };
}

function payloadIndex(r: LogRecord): number {
  const text = Buffer.from(r.data).toString("utf8");
  return Number(text.slice(1, text.indexOf(";")));
}

async function readAll(log: ShardLog, from = 0n): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  let next = from;
  for (;;) {
    const page = await log.read(next, { maxRecords: 1000, maxBytes: 1024 * 1024 });
    if (page.length === 0) return out;
    out.push(...page);
    next = page[page.length - 1]!.seq + 1n;
  }
}

/** Runs the behaviour every ShardLogStore must share against one implementation. */
export function runShardLogStoreSuite(name: string, create: () => Promise<ShardLogStoreHarness>): void {
  describe(`ShardLogStore contract: ${name}`, () => {
    let harness: ShardLogStoreHarness;
    let counter = 0;
    const freshId = (): string => `stream-${++counter}/shardId-00000000000${counter % 10}`;
    before(async () => {
      harness = await create();
    });
    after(async () => {
      await harness.cleanup();
    });

    /** Runs `fn` with a store, closing it afterwards. */
    async function withStore<T>(fn: (store: ShardLogStore) => Promise<T>, options?: SuiteStoreOptions): Promise<T> {
      const store = harness.openStore(options);
      try {
        return await fn(store);
      } finally {
        await store.close();
      }
    }

    it("starts empty", async () => {
      await withStore(async (store) => {
        const log = await store.open(freshId());
        assert.equal(log.firstSeq(), 0n);
        assert.equal(log.nextSeq(), 0n);
        assert.equal(log.lastTimestamp(), undefined);
        assert.deepEqual(await log.read(0n, ALL), []);
        assert.equal(await log.seekTimestamp(0), 0n);
        assert.deepEqual(await log.append([]), []);
      });
    });

    it("appends and reads records in order with their fields", async () => {
      await withStore(async (store) => {
        const log = await store.open(freshId());
        const first = await log.append([rec(0, 1000), rec(1, 1000), rec(2, 1001)]);
        assert.deepEqual(first, [0n, 1n, 2n]);
        assert.deepEqual(await log.append([{ timestamp: 1002, partitionKey: "ключ-ü", data: new Uint8Array([0, 255, 7]) }]), [3n]);
        assert.deepEqual(await log.append([{ timestamp: 1003, partitionKey: "", data: new Uint8Array(0) }]), [4n]);
        assert.equal(log.nextSeq(), 5n);
        assert.equal(log.lastTimestamp(), 1003);
        const all = await log.read(0n, ALL);
        assert.deepEqual(
          all.map((r) => r.seq),
          [0n, 1n, 2n, 3n, 4n],
        );
        assert.deepEqual(
          all.slice(0, 3).map(payloadIndex),
          [0, 1, 2],
        );
        assert.equal(all[1]!.partitionKey, "pk-1");
        assert.equal(all[2]!.timestamp, 1001);
        assert.equal(all[3]!.partitionKey, "ключ-ü");
        assert.deepEqual([...all[3]!.data], [0, 255, 7]);
        assert.equal(all[4]!.partitionKey, "");
        assert.equal(all[4]!.data.byteLength, 0);
        assert.deepEqual(
          (await log.read(3n, ALL)).map((r) => r.seq),
          [3n, 4n],
        );
        assert.deepEqual(await log.read(5n, ALL), []);
        assert.deepEqual(await log.read(99n, ALL), []);
      });
    });

    it("copies appended data (later mutation of the caller's buffer does not leak in)", async () => {
      await withStore(async (store) => {
        const log = await store.open(freshId());
        const data = Buffer.from("original");
        const done = log.append([{ timestamp: 1, partitionKey: "k", data }]);
        data.write("mutated!");
        await done;
        assert.equal(Buffer.from((await log.read(0n, ALL))[0]!.data).toString(), "original");
      });
    });

    it("keeps timestamps non-decreasing and floors them to whole ms", async () => {
      await withStore(async (store) => {
        const log = await store.open(freshId());
        await log.append([rec(0, 500.7), rec(1, 400), rec(2, 600)]);
        await log.append([rec(3, 100)]);
        const ts = (await log.read(0n, ALL)).map((r) => r.timestamp);
        assert.deepEqual(ts, [500, 500, 600, 600]);
      });
    });

    it("rejects records the log cannot hold", async () => {
      await withStore(async (store) => {
        const log = await store.open(freshId());
        await assert.rejects(log.append([{ timestamp: 1, partitionKey: "x".repeat(70_000), data: new Uint8Array(1) }]), RangeError);
        await assert.rejects(log.append([{ timestamp: Number.NaN, partitionKey: "k", data: new Uint8Array(1) }]), RangeError);
        assert.equal(log.nextSeq(), 0n);
        assert.deepEqual(await log.append([rec(0, 1)]), [0n]);
      });
    });

    it("rejects ids with empty components", async () => {
      await withStore(async (store) => {
        await assert.rejects(store.open("stream//shard"), TypeError);
        await assert.rejects(store.open(""), TypeError);
      });
    });

    it("applies maxRecords and maxBytes, and always returns at least one record", async () => {
      await withStore(async (store) => {
        const log = await store.open(freshId());
        // Each record: partition key "pk-N" (4 bytes) + 16 data bytes = 20 bytes.
        await log.append(Array.from({ length: 10 }, (_, i) => rec(i, 1)));
        assert.equal((await log.read(0n, { maxRecords: 3, maxBytes: 1e9 })).length, 3);
        assert.equal((await log.read(0n, { maxRecords: 100, maxBytes: 60 })).length, 3);
        assert.equal((await log.read(0n, { maxRecords: 100, maxBytes: 59 })).length, 2);
        assert.equal((await log.read(0n, { maxRecords: 100, maxBytes: 1 })).length, 1);
        assert.equal((await log.read(4n, { maxRecords: 1, maxBytes: 0 }))[0]!.seq, 4n);
        assert.equal((await log.read(8n, { maxRecords: 100, maxBytes: 1e9 })).length, 2);
      });
    });

    it("reads big records", async () => {
      await withStore(async (store) => {
        const log = await store.open(freshId());
        const big = Buffer.alloc(3 * 1024 * 1024 + 17);
        for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
        await log.append([rec(0, 1), { timestamp: 2, partitionKey: "big", data: big }, rec(2, 3)]);
        const all = await log.read(0n, ALL);
        assert.equal(all.length, 3);
        assert.ok(Buffer.from(all[1]!.data).equals(big));
        assert.equal(payloadIndex(all[2]!), 2);
        assert.equal((await log.read(0n, { maxRecords: 10, maxBytes: 1024 })).length, 1);
      });
    });

    it("continues seqs across a restart", async () => {
      const id = freshId();
      await withStore(async (store) => {
        const log = await store.open(id);
        await log.append([rec(0, 10), rec(1, 11)]);
        await log.append([rec(2, 12)]);
      });
      await withStore(async (store) => {
        const log = await store.open(id);
        assert.equal(log.nextSeq(), 3n);
        assert.equal(log.firstSeq(), 0n);
        assert.equal(log.lastTimestamp(), 12);
        assert.deepEqual(await log.append([rec(3, 5)]), [3n]);
        const all = await readAll(log);
        assert.deepEqual(all.map(payloadIndex), [0, 1, 2, 3]);
        assert.deepEqual(
          all.map((r) => r.timestamp),
          [10, 11, 12, 12],
        );
      });
    });

    it("seeks by timestamp", async () => {
      await withStore(async (store) => {
        const log = await store.open(freshId());
        await log.append([rec(0, 100), rec(1, 100), rec(2, 200), rec(3, 300), rec(4, 300), rec(5, 300), rec(6, 400)]);
        assert.equal(await log.seekTimestamp(0), 0n);
        assert.equal(await log.seekTimestamp(100), 0n);
        assert.equal(await log.seekTimestamp(101), 2n);
        assert.equal(await log.seekTimestamp(200), 2n);
        assert.equal(await log.seekTimestamp(250), 3n);
        assert.equal(await log.seekTimestamp(300), 3n);
        assert.equal(await log.seekTimestamp(400), 6n);
        assert.equal(await log.seekTimestamp(401), 7n);
      });
    });

    it("trims by timestamp, moves firstSeq and keeps the horizon across a restart", async () => {
      const id = freshId();
      await withStore(async (store) => {
        const log = await store.open(id);
        await log.append([rec(0, 100), rec(1, 100), rec(2, 200), rec(3, 300)]);
        assert.equal(await log.trimBefore(50), 0);
        assert.equal(await log.trimBefore(200), 2);
        assert.equal(log.firstSeq(), 2n);
        assert.equal(await log.trimBefore(150), 0);
        assert.deepEqual(
          (await log.read(0n, ALL)).map((r) => r.seq),
          [2n, 3n],
        );
        assert.equal(await log.seekTimestamp(0), 2n);
        assert.equal(log.nextSeq(), 4n);
      });
      await withStore(async (store) => {
        const log = await store.open(id);
        assert.equal(log.firstSeq(), 2n);
        assert.equal(log.nextSeq(), 4n);
        assert.deepEqual(
          (await log.read(0n, ALL)).map((r) => r.seq),
          [2n, 3n],
        );
        assert.equal(await log.trimBefore(1000), 2);
        assert.equal(log.firstSeq(), 4n);
        assert.equal(log.lastTimestamp(), undefined);
        assert.deepEqual(await log.read(0n, ALL), []);
        assert.equal(await log.seekTimestamp(0), 4n);
      });
      await withStore(async (store) => {
        const log = await store.open(id);
        assert.equal(log.firstSeq(), 4n);
        assert.equal(log.nextSeq(), 4n);
        assert.deepEqual(await log.append([rec(4, 2000)]), [4n]);
        assert.deepEqual(
          (await log.read(0n, ALL)).map((r) => r.seq),
          [4n],
        );
      });
    });

    it("notifies onAppend listeners after the append is durable", async () => {
      await withStore(async (store) => {
        const log = await store.open(freshId());
        const seen: bigint[] = [];
        const visible: number[] = [];
        const off = log.onAppend((lastSeq) => {
          seen.push(lastSeq);
          void log.read(lastSeq, ALL).then((r) => visible.push(r.length));
        });
        await log.append([rec(0, 1), rec(1, 1)]);
        await log.append([rec(2, 1)]);
        off();
        await log.append([rec(3, 1)]);
        assert.deepEqual(seen, [1n, 2n]);
        await log.read(0n, ALL);
        assert.deepEqual(visible, [1, 1]);
      });
    });

    it("keeps call order for many concurrent appenders", async () => {
      await withStore(async (store) => {
        const log = await store.open(freshId());
        const calls: Promise<readonly bigint[]>[] = [];
        const expected: number[] = [];
        let i = 0;
        for (let c = 0; c < 200; c++) {
          const batch = Array.from({ length: 1 + (c % 5) }, () => rec(i++, 1000 + c, 8 + (c % 13) * 40));
          for (let k = i - batch.length; k < i; k++) expected.push(k);
          calls.push(log.append(batch));
        }
        assert.equal(log.nextSeq(), BigInt(i));
        const results = await Promise.all(calls);
        let next = 0n;
        for (const seqs of results) {
          for (const seq of seqs) assert.equal(seq, next++);
        }
        const all = await readAll(log);
        assert.deepEqual(all.map(payloadIndex), expected);
      });
    });

    it("rolls segments and reads, seeks and trims across them", async () => {
      const id = freshId();
      const opts = { segmentBytes: 2048, indexEveryBytes: 200 };
      const n = 400;
      const sizes = Array.from({ length: n }, (_, i) => 6 + ((i * 37) % 300));
      const ts = (i: number): number => 10_000 + Math.floor(i / 3) * 10;
      await withStore(async (store) => {
        const log = await store.open(id);
        for (let i = 0; i < n; ) {
          const len = 1 + (i % 9);
          const batch: AppendInput[] = [];
          for (let k = 0; k < len && i < n; k++, i++) batch.push(rec(i, ts(i), sizes[i]));
          await log.append(batch);
        }
      }, opts);
      const check = async (log: ShardLog, first: number): Promise<void> => {
        const all = await readAll(log);
        assert.deepEqual(
          all.map(payloadIndex),
          Array.from({ length: n - first }, (_, k) => first + k),
        );
        for (const r of all) assert.equal(r.data.byteLength, sizes[Number(r.seq)]);
        for (let from = first; from < n; from += 7) {
          const page = await log.read(BigInt(from), { maxRecords: 25, maxBytes: 4000 });
          assert.ok(page.length >= 1);
          assert.equal(page[0]!.seq, BigInt(from));
          const bytes = page.reduce((sum, r) => sum + r.data.byteLength + r.partitionKey.length, 0);
          assert.ok(page.length === 1 || bytes <= 4000);
          page.forEach((r, k) => assert.equal(payloadIndex(r), from + k));
        }
        for (let i = first; i < n; i += 5) {
          const expect = Math.max(first, Math.min(i, 3 * Math.floor(i / 3)));
          assert.equal(await log.seekTimestamp(ts(i)), BigInt(expect), `seek ts of ${i}`);
        }
        assert.equal(await log.seekTimestamp(ts(n - 1) + 1), BigInt(n));
      };
      await withStore(async (store) => {
        const log = await store.open(id);
        assert.equal(log.nextSeq(), BigInt(n));
        await check(log, 0);
        assert.equal(await log.trimBefore(ts(150)), 150);
        assert.equal(log.firstSeq(), 150n);
        await check(log, 150);
      }, opts);
      await withStore(async (store) => {
        const log = await store.open(id);
        assert.equal(log.firstSeq(), 150n);
        await check(log, 150);
        assert.deepEqual(await log.append([rec(n, ts(n))]), [BigInt(n)]);
      }, opts);
    });

    it("removes logs independently of their siblings", async () => {
      await withStore(async (store) => {
        const a = await store.open("removal-stream/shardId-000000000000");
        const b = await store.open("removal-stream/shardId-000000000001");
        await a.append([rec(0, 1), rec(1, 1)]);
        await b.append([rec(0, 1)]);
        await store.remove("removal-stream/shardId-000000000000");
        const again = await store.open("removal-stream/shardId-000000000000");
        assert.equal(again.nextSeq(), 0n);
        assert.deepEqual(await again.read(0n, ALL), []);
        assert.equal((await b.read(0n, ALL)).length, 1);
        await store.remove("removal-stream/shardId-000000000001");
        await store.remove("removal-stream/never-opened");
      });
      await withStore(async (store) => {
        assert.equal((await store.open("removal-stream/shardId-000000000001")).nextSeq(), 0n);
      });
    });

    it("returns the same log for repeated opens and refuses work after close", async () => {
      await withStore(async (store) => {
        const id = freshId();
        const [a, b] = await Promise.all([store.open(id), store.open(id)]);
        assert.equal(a, b);
        await a.append([rec(0, 1)]);
        await a.close();
        await assert.rejects(a.append([rec(1, 1)]));
        await assert.rejects(a.read(0n, ALL));
        const c = await store.open(id);
        assert.notEqual(c, a);
        assert.equal(c.nextSeq(), 1n);
      });
    });
  });
}
