import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, describe, test } from "node:test";
import { createHasher, type ChecksumAlgorithm } from "../checksums.js";
import { HashPool } from "./hash-pool.js";

/** Feeds `bytes` to a pool job in 256 KiB spans of one shared buffer, as ingest does. */
async function hashWith(pool: HashPool, bytes: Buffer, algorithm: ChecksumAlgorithm | undefined): Promise<{ md5: string; checksum: Buffer | undefined }> {
  const span = 256 * 1024;
  const shared = new SharedArrayBuffer(span);
  const job = pool.start(algorithm);
  for (let at = 0; at < bytes.length; at += span) {
    const n = Math.min(span, bytes.length - at);
    new Uint8Array(shared).set(bytes.subarray(at, at + n));
    await job.update(shared, 0, n);
  }
  const d = await job.digest();
  return { md5: d.md5.toString("hex"), checksum: d.checksum };
}

describe("hash pool", () => {
  const pools = [new HashPool(1), new HashPool(2)];
  after(() => Promise.all(pools.map((p) => p.close())));
  const bytes = randomBytes(1024 * 1024 + 3);
  const md5 = createHash("md5").update(bytes).digest("hex");

  for (const [i, pool] of pools.entries()) {
    test(`${i + 1} thread(s): MD5 alone, and MD5 with each kind of checksum, concurrently`, async () => {
      const algorithms: (ChecksumAlgorithm | undefined)[] = [undefined, "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];
      const got = await Promise.all(algorithms.map((a) => hashWith(pool, bytes, a)));
      for (const [j, a] of algorithms.entries()) {
        assert.equal(got[j]!.md5, md5);
        if (a === undefined) assert.equal(got[j]!.checksum, undefined);
        else {
          const h = createHasher(a);
          h.update(bytes);
          assert.deepEqual(got[j]!.checksum, await h.digest(), a);
        }
      }
    });
  }

  test("a dropped job's pending updates settle and the pool keeps working", async () => {
    const pool = pools[1]!;
    const shared = new SharedArrayBuffer(1024);
    const job = pool.start("CRC32");
    const pending = job.update(shared, 0, 1024);
    job.drop();
    await Promise.allSettled([pending]);
    assert.equal((await hashWith(pool, bytes, "CRC32")).md5, md5);
  });

  test("threads with no job end after the idle time, and the next job starts new ones", async () => {
    const pool = new HashPool(2, 20);
    try {
      assert.equal((await hashWith(pool, bytes, "SHA256")).md5, md5);
      assert.equal(pool.threadCount, 2);
      const deadline = Date.now() + 10_000;
      while (pool.threadCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(pool.threadCount, 0, "idle threads ended");
      assert.equal((await hashWith(pool, bytes, "CRC32")).md5, md5);
      assert.equal(pool.threadCount, 2);
    } finally {
      await pool.close();
    }
  });
});
