import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";
import { DIRECT_ALIGN } from "./blob-store.js";
import { alignedMemory } from "./aligned-memory.js";
import { SEGMENT, SegmentPool, type Segment } from "./segment-pool.js";

/** Block reads in flight per stream: the next block is read while the last one goes out. */
const READ_AHEAD = 4;
/**
 * Readers only hold segments between a read and its copy: one kept slab serves a stream at a time,
 * and concurrent streams borrow slabs the GC frees (memory for one thread, which it can free).
 */
const segments = new SegmentPool<ArrayBuffer>({ perSlab: READ_AHEAD, pinnedSlabs: 1, pinned: alignedMemory, overflow: alignedMemory });

/**
 * Bytes per chunk handed on. The server runs with a fixed malloc mmap threshold of 512 KiB (the
 * entry point's first line): a 1 MiB copy would be a fresh mapping, page-faulted in and unmapped,
 * per block; pieces under it come from (and go back to) the heap.
 */
const PIECE = 256 * 1024;

interface Block {
  readonly segment: Segment<ArrayBuffer>;
  readonly position: number;
  readonly bytes: number;
}

/** Reads one segment-long block at `position` (fewer bytes only at the end of the file). */
async function readBlock(fh: FileHandle, segment: Segment<ArrayBuffer>, position: number): Promise<Block> {
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(segment.bytes, bytes, SEGMENT - bytes, position + bytes);
      bytes += bytesRead;
      if (bytesRead === 0 || bytes === SEGMENT || bytes % DIRECT_ALIGN !== 0) return { segment, position, bytes };
    }
  } catch (err) {
    segments.release(segment);
    throw err;
  }
}

/** Opens `path` for reads around the page cache, or through it where the filesystem has no O_DIRECT. */
async function openForRead(path: string): Promise<FileHandle> {
  if (constants.O_DIRECT !== undefined) {
    try {
      return await open(path, constants.O_RDONLY | constants.O_DIRECT);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EINVAL") throw err;
    }
  }
  return open(path, "r");
}

async function* chunks(path: string, start: number, end: number): AsyncGenerator<Buffer> {
  const fh = await openForRead(path);
  const pending: Promise<Block>[] = [];
  let next = start - (start % DIRECT_ALIGN);
  let eof = false;
  const issue = (): void => {
    if (eof || next > end) return;
    const p = readBlock(fh, segments.acquire(), next);
    p.catch(() => undefined); // awaited in order below
    pending.push(p);
    next += SEGMENT;
  };
  try {
    for (let i = 0; i < READ_AHEAD; i++) issue();
    while (pending.length > 0) {
      const block = await pending.shift()!;
      const from = Math.max(start, block.position) - block.position;
      const to = Math.min(end + 1, block.position + block.bytes) - block.position;
      // Copied out, so the segment is free again at once, whatever the consumer does with the
      // chunks; in pieces below the C library's mmap threshold (see PIECE).
      const pieces: Buffer[] = [];
      for (let at = from; at < to; at += PIECE) pieces.push(Buffer.from(block.segment.bytes.subarray(at, Math.min(to, at + PIECE))));
      segments.release(block.segment);
      if (block.bytes < SEGMENT) eof = true;
      issue();
      for (const piece of pieces) yield piece;
    }
  } finally {
    for (const p of pending.splice(0)) {
      const settled = await p.then((b) => b, () => undefined);
      if (settled !== undefined) segments.release(settled.segment);
    }
    await fh.close();
  }
}

/**
 * Streams bytes [start, end] (inclusive) of a file in 1 MiB blocks read around the page cache
 * (O_DIRECT into page-aligned memory, the next block read while the last goes out), like
 * createReadStream otherwise: it ends early if the file is shorter. Here a cold buffered read of
 * a large file ran at ~270 MiB/s with ~2.3 s of kernel CPU per GiB (filling new cache pages), a
 * direct one at 1-1.5 GiB/s with ~0.15 s.
 */
export function directReadStream(path: string, start: number, end: number): Readable {
  return Readable.from(chunks(path, start, end), { objectMode: false, highWaterMark: SEGMENT });
}
