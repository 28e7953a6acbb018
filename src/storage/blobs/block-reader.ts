import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { DIRECT_ALIGN } from "./blob-store.js";
import { alignedMemory } from "./aligned-memory.js";
import { SEGMENT } from "./segment-pool.js";

/** Segments of a reader's slab: the blocks read ahead plus those still being sent. */
export const SLAB_SEGMENTS = 4;
/** Idle slabs kept for the next reader (a slab is page-aligned memory the GC frees otherwise). */
const KEEP_IDLE_SLABS = 1;
const idleSlabs: ArrayBuffer[] = [];

/** Slabs kept for reuse now (for tests). */
export function idleSlabCount(): number {
  return idleSlabs.length;
}

/** A block's bytes within the reader's range, lent until {@link BlockReader.release}. */
export interface LentBlock {
  /** A view into the reader's slab: valid until the segment is released, and never reused before. */
  readonly bytes: Uint8Array;
  /** What to pass to `release`. */
  readonly segment: number;
}

interface Block {
  readonly offset: number;
  readonly position: number;
  readonly bytes: number;
}

function prematureClose(): Error {
  return Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
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

/**
 * Reads bytes [start, end] (inclusive) of a file in SEGMENT-long blocks into the segments of one
 * page-aligned slab (O_DIRECT where the filesystem has it), reading ahead into every free
 * segment. Each block is lent out in order; its segment is read into again only once released.
 * The slab goes back for reuse only after `close` when every segment has come home and no read
 * is in flight: a segment never released (bytes handed to a socket that never called back)
 * leaves the slab to the GC, never to another reader.
 */
export class BlockReader {
  readonly #slab: ArrayBuffer;
  readonly #free: number[];
  readonly #pending: Promise<Block>[] = [];
  readonly #reads = new Set<Promise<void>>();
  #opening: Promise<FileHandle> | undefined;
  #fh: FileHandle | undefined;
  #next: number;
  #eof = false;
  #closed = false;
  #retired = false;
  #wake: (() => void) | undefined;
  #interrupted: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.#slab = idleSlabs.pop() ?? alignedMemory(SLAB_SEGMENTS * SEGMENT);
    this.#free = Array.from({ length: SLAB_SEGMENTS }, (_, i) => (SLAB_SEGMENTS - 1 - i) * SEGMENT);
    this.#next = start - (start % DIRECT_ALIGN);
  }

  /**
   * The next block's bytes (in file order), or undefined past `end` or the end of the file.
   * Waits for a released segment when all are lent. One call at a time. Rejects once the
   * reader is closed or interrupted, or when a read fails.
   */
  async next(): Promise<LentBlock | undefined> {
    if (this.#fh === undefined) {
      this.#opening ??= openForRead(this.path);
      this.#fh = await this.#opening;
    }
    for (;;) {
      if (this.#closed) throw prematureClose();
      if (this.#interrupted !== undefined) throw this.#interrupted;
      this.#issue();
      const pending = this.#pending.shift();
      if (pending === undefined) {
        if (this.#eof || this.#next > this.end) return undefined;
        await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        continue;
      }
      const block = await pending;
      if (this.#closed) {
        this.#giveBack(block.offset);
        throw prematureClose();
      }
      if (block.bytes < SEGMENT) this.#eof = true;
      const from = Math.max(this.start, block.position) - block.position;
      const to = Math.min(this.end + 1, block.position + block.bytes) - block.position;
      if (to <= from) {
        this.#giveBack(block.offset);
        continue;
      }
      return { bytes: new Uint8Array(this.#slab, block.offset + from, to - from), segment: block.offset };
    }
  }

  /** Gives a lent segment back: its bytes must not be used afterwards (by anyone). */
  release(segment: number): void {
    this.#giveBack(segment);
    if (this.#closed) return;
    this.#issue();
    this.#wake?.();
  }

  /** Makes a waiting or later `next` reject with `err` (e.g. the consumer went away). */
  interrupt(err: Error): void {
    this.#interrupted ??= err;
    this.#wake?.();
  }

  /** Stops reading: waits for reads in flight, closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake?.();
    while (this.#reads.size > 0) await Promise.all(this.#reads);
    for (const p of this.#pending.splice(0)) {
      const block = await p.then(
        (b) => b,
        () => undefined, // its segment went back when the read failed
      );
      if (block !== undefined) this.#free.push(block.offset);
    }
    const fh = this.#fh ?? (await this.#opening?.catch(() => undefined));
    this.#fh = undefined;
    await fh?.close();
    this.#retire();
  }

  #giveBack(segment: number): void {
    this.#free.push(segment);
    this.#retire();
  }

  /** Hands the slab on once closed with every segment home and nothing reading into it. */
  #retire(): void {
    if (!this.#closed || this.#retired || this.#reads.size > 0 || this.#free.length < SLAB_SEGMENTS) return;
    this.#retired = true;
    if (idleSlabs.length < KEEP_IDLE_SLABS) idleSlabs.push(this.#slab);
  }

  #issue(): void {
    const fh = this.#fh;
    if (fh === undefined) return;
    while (!this.#closed && !this.#eof && this.#next <= this.end && this.#free.length > 0) {
      this.#pending.push(this.#read(fh, this.#free.pop()!, this.#next));
      this.#next += SEGMENT;
    }
  }

  /** Reads one segment-long block at `position` (fewer bytes only at the end of the file). */
  #read(fh: FileHandle, offset: number, position: number): Promise<Block> {
    const into = new Uint8Array(this.#slab, offset, SEGMENT);
    const read = (async (): Promise<Block> => {
      let bytes = 0;
      try {
        for (;;) {
          const { bytesRead } = await fh.read(into, bytes, SEGMENT - bytes, position + bytes);
          bytes += bytesRead;
          if (bytesRead === 0 || bytes === SEGMENT || bytes % DIRECT_ALIGN !== 0) return { offset, position, bytes };
        }
      } catch (err) {
        this.#free.push(offset); // the read is over: nothing writes into the segment any more
        throw err;
      }
    })();
    const settled = read.then(
      () => undefined,
      () => undefined,
    );
    this.#reads.add(settled);
    void settled.then(() => {
      this.#reads.delete(settled);
      this.#retire();
    });
    return read;
  }
}
