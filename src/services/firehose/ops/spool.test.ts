import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { recordIdOf, recordIdsOf } from "./spool.js";

test("recordIdsOf spells each id as recordIdOf does", () => {
  const seqs = [0n, 1n, 255n, 256n, 0xffffffffn, 0x1_0000_0000n, 123_456_789_012_345n, 0xffff_ffff_ffff_ffffn];
  for (let i = 0; i < 20; i++) {
    const stream = randomUUID();
    const ids = recordIdsOf(stream, seqs);
    assert.deepEqual(ids, seqs.map((s) => recordIdOf(stream, s)));
    for (const id of ids) assert.equal(Buffer.from(id, "base64").length, 24);
  }
  assert.deepEqual(recordIdsOf(randomUUID(), []), []);
});
