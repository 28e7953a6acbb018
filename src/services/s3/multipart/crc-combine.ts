/**
 * CRC combination: the CRC of A‖B from crc(A), crc(B) and len(B), without the bytes of A or B.
 * This is zlib's crc32_combine (multiplication modulo the CRC polynomial, with x^(2^k) powers
 * squared up as needed), generalised to any reflected CRC whose initial value and final XOR are
 * all ones: CRC-32, CRC-32C and CRC-64/NVME, the CRCs S3 accepts as FULL_OBJECT checksums
 * (S3 User Guide, "Checking object integrity": full object checksums of multipart uploads).
 *
 * BigInt keeps it exact for 64-bit CRCs; lengths are plain numbers (safe to 2^53 bytes).
 */
export type CombinableCrc = "CRC32" | "CRC32C" | "CRC64NVME";

interface Spec {
  readonly width: number;
  /** The reflected polynomial. */
  readonly poly: bigint;
}

const SPECS: Record<CombinableCrc, Spec> = {
  CRC32: { width: 32, poly: 0xedb88320n },
  CRC32C: { width: 32, poly: 0x82f63b78n },
  CRC64NVME: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
};

class Combiner {
  /** x^0 in the reflected representation. */
  readonly #one: bigint;
  readonly #poly: bigint;
  /** x^(2^k) mod p, k = 0, 1, ... (grown on demand). */
  readonly #x2n: bigint[];
  /** x^(8n) mod p by byte count n: parts of one upload mostly share a size. */
  readonly #byLength = new Map<number, bigint>();

  constructor(spec: Spec) {
    this.#one = 1n << BigInt(spec.width - 1);
    this.#poly = spec.poly;
    this.#x2n = [this.#one >> 1n];
  }

  /** a(x) * b(x) mod p(x). */
  #multiply(a: bigint, b: bigint): bigint {
    if (a === 0n) return 0n;
    let m = this.#one;
    let product = 0n;
    for (;;) {
      if ((a & m) !== 0n) {
        product ^= b;
        if ((a & (m - 1n)) === 0n) return product;
      }
      m >>= 1n;
      b = (b & 1n) !== 0n ? (b >> 1n) ^ this.#poly : b >> 1n;
    }
  }

  #x2nAt(k: number): bigint {
    while (this.#x2n.length <= k) {
      const last = this.#x2n[this.#x2n.length - 1]!;
      this.#x2n.push(this.#multiply(last, last));
    }
    return this.#x2n[k]!;
  }

  /** x^(8 * bytes) mod p: the operator that shifts a CRC past `bytes` zero bytes. */
  #shiftFor(bytes: number): bigint {
    const cached = this.#byLength.get(bytes);
    if (cached !== undefined) return cached;
    let p = this.#one;
    let n = bytes;
    let k = 3; // 2^3 bits per byte
    while (n > 0) {
      if (n % 2 === 1) p = this.#multiply(this.#x2nAt(k), p);
      n = Math.floor(n / 2);
      k++;
    }
    if (this.#byLength.size > 256) this.#byLength.clear();
    this.#byLength.set(bytes, p);
    return p;
  }

  combine(crcA: bigint, crcB: bigint, lengthB: number): bigint {
    return this.#multiply(this.#shiftFor(lengthB), crcA) ^ crcB;
  }
}

const combiners = new Map<CombinableCrc, Combiner>();

/** Whether an algorithm's part checksums can be combined into a full-object checksum. */
export const isCombinable = (algorithm: string): algorithm is CombinableCrc => algorithm in SPECS;

/** crc(A‖B) from crc(A), crc(B) and the length of B in bytes. CRC values as big-endian bytes. */
export function crcCombine(algorithm: CombinableCrc, crcA: Uint8Array, crcB: Uint8Array, lengthB: number): Buffer {
  let c = combiners.get(algorithm);
  if (c === undefined) {
    c = new Combiner(SPECS[algorithm]);
    combiners.set(algorithm, c);
  }
  const width = SPECS[algorithm].width / 8;
  const value = c.combine(toBig(crcA), toBig(crcB), lengthB);
  const out = Buffer.alloc(width);
  let v = value;
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function toBig(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** The CRC of the concatenation of parts, from each part's CRC and size, in order. */
export function crcOfParts(algorithm: CombinableCrc, parts: ReadonlyArray<{ readonly crc: Uint8Array; readonly size: number }>): Buffer {
  const [first, ...rest] = parts;
  if (first === undefined) throw new Error("no parts to combine");
  let acc: Buffer = Buffer.from(first.crc);
  for (const p of rest) acc = crcCombine(algorithm, acc, p.crc, p.size);
  return acc;
}
