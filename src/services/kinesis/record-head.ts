import { recordSequenceNumber } from "./sequence-number.js";

/**
 * The bytes of a GetRecords record's JSON up to its data, `,{"SequenceNumber":"<digits>",
 * "ApproximateArrivalTimestamp":<secs>,"Data":"`, kept for the next record of the shard: a drain
 * page writes 10,000 of them, and a BigInt sequence number, its decimal text and a concatenated
 * string per record cost about as much as the rest of the record's JSON.
 */

const SEQ_OPEN = ',{"SequenceNumber":"';
const TS_OPEN = '","ApproximateArrivalTimestamp":';
const DATA_OPEN = ',"Data":"';
/** 2^80 in decimal: the step between consecutive record numbers (sequence-number.ts). */
const STEP = Buffer.from((1n << 80n).toString(10), "latin1");
const ZERO = 0x30;

/** Writes the head of each record of one shard, in seq order. */
export class RecordHeadWriter {
  /** `,{"SequenceNumber":"<digits>` + TS_OPEN; the digits end TS_OPEN.length bytes before the end. */
  #seqHead = Buffer.alloc(0);
  /** The same bytes without the comma (a view: the digits change in both). */
  #seqHeadFirst = Buffer.alloc(0);
  #seq = -2;
  #tsMs = Number.NaN;
  /** `<secs>,"Data":"` of the last arrival time. */
  #tsTail = Buffer.alloc(0);

  constructor(
    private readonly shardCreatedAt: number,
    private readonly shardIndex: number,
  ) {}

  /** Writes the head at `off` (without its leading comma for the first record); returns the offset after it. */
  write(out: Buffer, off: number, first: boolean, seq: number, timestamp: number): number {
    this.#moveTo(seq);
    const head = this.#seqHead;
    const ts = this.#timestamp(timestamp);
    const h = first ? this.#seqHeadFirst : head;
    out.set(h, off);
    off += h.length;
    out.set(ts, off);
    return off + ts.length;
  }

  #timestamp(ms: number): Buffer {
    if (ms !== this.#tsMs) {
      this.#tsMs = ms;
      this.#tsTail = Buffer.from(JSON.stringify(ms / 1000) + DATA_OPEN, "latin1");
    }
    return this.#tsTail;
  }

  /** Makes the digits those of `seq`: the next seq by a decimal addition, any other through BigInt. */
  #moveTo(seq: number): void {
    if (seq === this.#seq) return;
    if (seq !== this.#seq + 1 || !this.#addStep()) {
      const text = recordSequenceNumber(this.shardCreatedAt, this.shardIndex, BigInt(seq));
      this.#seqHead = Buffer.from(SEQ_OPEN + text + TS_OPEN, "latin1");
      this.#seqHeadFirst = this.#seqHead.subarray(1);
    }
    this.#seq = seq;
  }

  /** Adds 2^80 to the digits in place; false when the number would gain a digit (then rebuilt). */
  #addStep(): boolean {
    const d = this.#seqHead;
    const end = d.length - TS_OPEN.length; // after the last digit
    const start = SEQ_OPEN.length;
    if (end - start < STEP.length) return false;
    let carry = 0;
    let i = end - 1;
    for (let j = STEP.length - 1; j >= 0; j--, i--) {
      const v = d[i]! - ZERO + STEP[j]! - ZERO + carry;
      carry = v >= 10 ? 1 : 0;
      d[i] = ZERO + v - carry * 10;
    }
    for (; carry !== 0 && i >= start; i--) {
      const v = d[i]! - ZERO + 1;
      carry = v >= 10 ? 1 : 0;
      d[i] = ZERO + v - carry * 10;
    }
    if (carry === 0) return true;
    this.#seq = -2; // digits are spoilt: the caller rebuilds them
    return false;
  }
}
