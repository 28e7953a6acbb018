import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { directReadStream } from "./direct-read.js";

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

describe("direct read stream", () => {
  const dir = mkdtempSync(join(tmpdir(), "streamlake-direct-read-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const MiB = 1 << 20;
  const bytes = randomBytes(3 * MiB + 5_000);
  const path = join(dir, "blob");
  writeFileSync(path, bytes);

  for (const [start, end] of [
    [0, bytes.length - 1],
    [1, bytes.length - 2],
    [4095, 4097],
    [MiB - 3, 2 * MiB + 3],
    [3 * MiB, bytes.length - 1],
    [2 * MiB + 12_345, Number.MAX_SAFE_INTEGER],
  ] as const) {
    test(`bytes ${start}-${end} are the file's`, async () => {
      const got = await collect(directReadStream(path, start, end));
      assert.ok(got.equals(bytes.subarray(start, Math.min(end, bytes.length - 1) + 1)));
    });
  }

  test("a stream destroyed after its first chunk closes the file and frees its segments", async () => {
    const stream = directReadStream(path, 0, bytes.length - 1);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      assert.equal(chunk.length, MiB);
      break;
    }
    assert.ok(stream.destroyed);
    // Another full read still works (segments were given back).
    assert.ok((await collect(directReadStream(path, 0, bytes.length - 1))).equals(bytes));
  });

  test("a missing file fails the stream", async () => {
    await assert.rejects(collect(directReadStream(join(dir, "missing"), 0, 10)), { code: "ENOENT" });
  });
});
