import assert from "node:assert/strict";
import { test } from "node:test";
import { RecordHeadWriter } from "./record-head.js";
import { recordSequenceNumber } from "./sequence-number.js";

function expected(createdAt: number, index: number, seq: number, ts: number, first: boolean): string {
  const head = `,{"SequenceNumber":"${recordSequenceNumber(createdAt, index, BigInt(seq))}","ApproximateArrivalTimestamp":${JSON.stringify(ts / 1000)},"Data":"`;
  return first ? head.slice(1) : head;
}

test("record heads match the BigInt sequence numbers for runs, jumps, repeats and carries", () => {
  const createdAt = 1_763_780_000_123;
  for (const index of [0, 3, 15, 16, 4095]) {
    const w = new RecordHeadWriter(createdAt, index);
    const out = Buffer.alloc(256);
    // Consecutive runs (the decimal addition), starting points that carry through many digits, jumps back and forth.
    const seqs = [0, 1, 2, 3, 999, 1000, 1001, 7, 8, 2 ** 40 - 2, 2 ** 40 - 1, 2 ** 40, 2 ** 40 + 1, 2 ** 52, 2 ** 52 + 1, 5, 5, 6];
    for (let run = 0; run < 2000; run++) seqs.push(123_456 + run);
    seqs.forEach((seq, k) => {
      const ts = 1_763_785_000_000 + Math.floor(k / 7) * 13;
      const first = k % 11 === 0;
      const end = w.write(out, 0, first, seq, ts);
      const want = expected(createdAt, index, seq, ts, first);
      assert.equal(out.toString("latin1", 0, end), want, `seq ${seq}`);
    });
  }
});
