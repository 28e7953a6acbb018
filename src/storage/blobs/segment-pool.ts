import { DIRECT_ALIGN } from "./blob-store.js";

/** Bytes per segment: one file write or read, and one hash step. */
export const SEGMENT = 1 << 20;

/** Where a slab's memory comes from; made by a function so tests can count slabs. */
export type SlabAllocator<B extends ArrayBufferLike> = (bytes: number) => B;

interface Slab<B extends ArrayBufferLike> {
  readonly buffer: B;
  /** Offsets of the segments not in use. */
  readonly free: number[];
  /** Kept for the process's life (from the pinned allocator); others go as soon as nothing is lent from them. */
  readonly pinned: boolean;
}

/** A SEGMENT-byte span of a slab, lent by a {@link SegmentPool}. */
export interface Segment<B extends ArrayBufferLike = SharedArrayBuffer> {
  /** The slab's memory (what a hash worker is sent). */
  readonly buffer: B;
  /** Where the segment starts in `buffer` (a multiple of SEGMENT, so DIRECT_ALIGN-aligned in an aligned slab). */
  readonly offset: number;
  /** The segment's bytes. */
  readonly bytes: Uint8Array;
  readonly slab: Slab<B>;
}

/** How a {@link SegmentPool} gets its slabs. */
export interface SegmentPoolOptions<B extends ArrayBufferLike> {
  /** Segments per slab. */
  readonly perSlab: number;
  /** At most this many slabs come from `pinned`; they are never dropped, and lent first. */
  readonly pinnedSlabs: number;
  /** Memory for the pinned slabs (page-aligned, so their segments can be written around the page cache). */
  readonly pinned: SlabAllocator<B>;
  /** Memory for slabs beyond those, each dropped for the GC as soon as nothing is lent from it. */
  readonly overflow: SlabAllocator<B>;
}

/**
 * Lends SEGMENT-byte segments carved from slabs. The first `pinnedSlabs` slabs, made on demand,
 * stay for the process's life (aligned shared memory cannot be freed: see aligned-memory.ts), so
 * a steady stream of large bodies reuses them with no allocation; a burst needing more borrows
 * from overflow slabs that go back to the GC once empty.
 */
export class SegmentPool<B extends ArrayBufferLike = SharedArrayBuffer> {
  readonly #slabs: Slab<B>[] = [];
  #pinnedCount = 0;

  constructor(private readonly options: SegmentPoolOptions<B>) {
    if (SEGMENT % DIRECT_ALIGN !== 0) throw new Error("segments must keep direct-write alignment");
  }

  /** Slabs held now (for tests and diagnostics). */
  get slabCount(): number {
    return this.#slabs.length;
  }

  /** A segment nobody else uses until it is released: from a pinned slab when one has a free segment. */
  acquire(): Segment<B> {
    // Pinned slabs come first in the list.
    let best = this.#slabs.find((slab) => slab.free.length > 0);
    if (best === undefined || (!best.pinned && this.#pinnedCount < this.options.pinnedSlabs)) best = this.#newSlab();
    const offset = best.free.pop()!;
    return { buffer: best.buffer, offset, bytes: new Uint8Array(best.buffer, offset, SEGMENT), slab: best };
  }

  #newSlab(): Slab<B> {
    const perSlab = Math.max(1, this.options.perSlab);
    const pinned = this.#pinnedCount < this.options.pinnedSlabs;
    const buffer = (pinned ? this.options.pinned : this.options.overflow)(perSlab * SEGMENT);
    if (pinned) this.#pinnedCount++;
    const slab: Slab<B> = { buffer, free: Array.from({ length: perSlab }, (_, i) => (perSlab - 1 - i) * SEGMENT), pinned };
    // Pinned slabs first, so acquire finds them first.
    if (pinned) this.#slabs.unshift(slab);
    else this.#slabs.push(slab);
    return slab;
  }

  /** Gives a segment back; the caller must not touch its bytes afterwards. */
  release(segment: Segment<B>): void {
    const slab = segment.slab;
    slab.free.push(segment.offset);
    if (!slab.pinned && slab.free.length === Math.max(1, this.options.perSlab)) this.#slabs.splice(this.#slabs.indexOf(slab), 1);
  }
}
