import assert from "node:assert/strict";
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { alignedSharedMemory } from "./aligned-memory.js";

const MiB = 1 << 20;

test("aligned shared memory starts on a page: O_DIRECT takes writes from it", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "streamlake-aligned-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let fd: number;
  try {
    fd = openSync(join(dir, "probe"), constants.O_WRONLY | constants.O_CREAT | (constants.O_DIRECT ?? 0), 0o600);
  } catch {
    t.skip("this filesystem has no O_DIRECT");
    return;
  }
  try {
    for (let i = 0; i < 8; i++) {
      const memory = alignedSharedMemory(2 * MiB);
      new Uint8Array(memory).fill(i);
      // From memory off a page boundary (malloc's), the kernel refuses these with EINVAL.
      assert.equal(writeSync(fd, new Uint8Array(memory, MiB, MiB), 0, MiB, 0), MiB);
      assert.equal(writeSync(fd, new Uint8Array(memory, 0, 65_536), 0, 65_536, MiB), 65_536);
    }
  } finally {
    closeSync(fd);
  }
});

test("aligned shared memory can be shared with a thread and is of the size asked, in 64 KiB pages", () => {
  const memory = alignedSharedMemory(MiB + 1);
  assert.ok(memory instanceof SharedArrayBuffer);
  assert.equal(memory.byteLength, MiB + 65_536);
});
