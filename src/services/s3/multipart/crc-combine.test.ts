import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, test } from "node:test";
import { createHasher, type ChecksumAlgorithm } from "../checksums.js";
import { crcCombine, crcOfParts, type CombinableCrc } from "./crc-combine.js";

const digest = async (algorithm: ChecksumAlgorithm, ...chunks: Uint8Array[]): Promise<Buffer> => {
  const h = createHasher(algorithm);
  for (const c of chunks) h.update(c);
  return h.digest();
};

// A tiny deterministic generator, so a failure can be reproduced.
function split(total: number, seed: number): number[] {
  const sizes: number[] = [];
  let left = total;
  let s = seed;
  while (left > 0) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const n = Math.min(left, s % 5000);
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

describe("crc combination", () => {
  for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME"] as CombinableCrc[]) {
    test(`${algorithm}: combining part CRCs equals the CRC of the whole body`, async () => {
      for (let seed = 1; seed <= 8; seed++) {
        const body = randomBytes(20_000 + seed * 777);
        const sizes = split(body.length, seed);
        let at = 0;
        const parts: Array<{ crc: Buffer; size: number }> = [];
        for (const size of sizes) {
          const part = body.subarray(at, at + size);
          at += size;
          parts.push({ crc: await digest(algorithm, part), size });
        }
        assert.deepEqual(crcOfParts(algorithm, parts), await digest(algorithm, body), `seed ${seed}, ${sizes.length} parts`);
      }
    });

    test(`${algorithm}: an empty second part leaves the CRC unchanged, an empty first part contributes nothing`, async () => {
      const a = randomBytes(1000);
      const crcA = await digest(algorithm, a);
      const empty = await digest(algorithm);
      assert.deepEqual(crcCombine(algorithm, crcA, empty, 0), crcA);
      assert.deepEqual(crcCombine(algorithm, empty, crcA, a.length), crcA);
    });
  }

  test("lengths beyond 32 bits: a 5 GiB run of zeros matches combining doubled halves", async () => {
    // crc(Z_{2n}) = combine(crc(Z_n), crc(Z_n), n): start from 5 MiB of zeros and double 10 times.
    const algorithm: CombinableCrc = "CRC32";
    let size = 5 * 1024 * 1024;
    let crc = await digest(algorithm, Buffer.alloc(size));
    for (let i = 0; i < 10; i++) {
      crc = crcCombine(algorithm, crc, crc, size);
      size *= 2;
    }
    assert.equal(size, 5 * 1024 ** 3);
    // The same length assembled another way (one 5 GiB - 1 byte run plus one zero byte) must agree.
    let crcShort = await digest(algorithm, Buffer.alloc(5 * 1024 * 1024 - 1));
    let shortSize = 5 * 1024 * 1024 - 1;
    const zeroByte = await digest(algorithm, Buffer.alloc(1));
    // Build zeros(5 GiB) = zeros(5 MiB - 1) + 1 + zeros(5 MiB) * 1023.
    crcShort = crcCombine(algorithm, crcShort, zeroByte, 1);
    shortSize += 1;
    const block = await digest(algorithm, Buffer.alloc(5 * 1024 * 1024));
    for (let i = 1; i < 1024; i++) {
      crcShort = crcCombine(algorithm, crcShort, block, 5 * 1024 * 1024);
      shortSize += 5 * 1024 * 1024;
    }
    assert.equal(shortSize, size);
    assert.deepEqual(crcShort, crc);
  });
});
