import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { crc32 } from "node:zlib";

/** Size of one generated block. */
export const BLOCK = 1 << 20;
const DISTINCT = 16;

/**
 * A large body made of 16 distinct random 1 MiB blocks in rotation: streamed, never held
 * whole, with CRC32 checksums computed ahead the way an SDK sends x-amz-checksum-crc32.
 */
export class GeneratedBody {
  private readonly blocks: Buffer[] = Array.from({ length: DISTINCT }, () => randomBytes(BLOCK));
  private readonly crcMemo = new Map<string, number>();

  /** The block at position `index` of any body made by this generator. */
  block(index: number): Buffer {
    return this.blocks[index % DISTINCT]!;
  }

  /** A stream of `blockCount` blocks starting at block `first`. */
  stream(first: number, blockCount: number): Readable {
    const self = this;
    function* gen(): Generator<Buffer> {
      for (let i = 0; i < blockCount; i++) yield self.block(first + i);
    }
    return Readable.from(gen(), { objectMode: false, highWaterMark: 4 * BLOCK });
  }

  /** CRC32 of `blockCount` blocks from `first`, memoised (the rotation repeats). */
  crc32(first: number, blockCount: number): number {
    const key = `${first % DISTINCT}:${blockCount}`;
    const known = this.crcMemo.get(key);
    if (known !== undefined) return known;
    let value = 0;
    for (let i = 0; i < blockCount; i++) value = crc32(this.block(first + i), value);
    this.crcMemo.set(key, value);
    return value;
  }
}

/** The base64 form of a CRC32, as the x-amz-checksum-crc32 header carries it. */
export function crc32Base64(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString("base64");
}

/** x-amz-checksum-crc32 of a buffer. */
export function bufferCrc32(body: Buffer): string {
  return crc32Base64(crc32(body));
}
