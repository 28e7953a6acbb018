import { alignedMemory } from "./aligned-memory.js";
import { DEFAULT_POOL_IDLE_MS, IdleRelease } from "../../util/idle-release.js";
import { DIRECT_ALIGN } from "./blob-store.js";

/** Bytes per segment: one file write or read, and one hash step. */
export const SEGMENT = 1 << 20;

/** Where a slab's memory comes from; made by a function so tests can count slabs. */
export type SlabAllocator = (bytes: number) => SharedArrayBuffer;

/**
 * Page-aligned shared memory (see alignedMemory): direct writes need it, and hash workers read
 * it without a copy.
 */
export const alignedSlab: SlabAllocator = alignedMemory;

interface Slab {
  readonly buffer: SharedArrayBuffer;
  /** Offsets of the segments not in use. */
  readonly free: number[];
}

/** A SEGMENT-byte span of shared, page-aligned memory, lent by a {@link SegmentPool}. */
export interface Segment {
  /** The slab's memory (what a hash worker is sent). */
  readonly buffer: SharedArrayBuffer;
  /** Where the segment starts in `buffer` (a multiple of SEGMENT, so DIRECT_ALIGN-aligned). */
  readonly offset: number;
  /** The segment's bytes. */
  readonly bytes: Uint8Array;
  readonly slab: Slab;
}

/**
 * Lends 1 MiB segments carved from slabs of `perSlab` segments. Slabs are made on demand; when
 * more than `keepIdle` slabs have nothing lent out, the extra ones are dropped for the GC, and
 * once the pool has not been used for `idleMs` every slab with nothing lent out goes.
 */
export class SegmentPool {
  readonly #slabs: Slab[] = [];
  readonly #perSlab: number;
  readonly #keepIdle: number;
  readonly #allocate: SlabAllocator;
  readonly #idle: IdleRelease;

  constructor(perSlab: number, keepIdle: number, allocate: SlabAllocator = alignedSlab, idleMs = DEFAULT_POOL_IDLE_MS) {
    if (SEGMENT % DIRECT_ALIGN !== 0) throw new Error("segments must keep direct-write alignment");
    this.#perSlab = Math.max(1, perSlab);
    this.#keepIdle = keepIdle;
    this.#allocate = allocate;
    this.#idle = new IdleRelease(idleMs, () => this.#dropIdleSlabs());
  }

  /** Drops every slab with nothing lent out; returns their bytes. */
  #dropIdleSlabs(): number {
    let bytes = 0;
    for (let i = this.#slabs.length - 1; i >= 0; i--) {
      const slab = this.#slabs[i]!;
      if (slab.free.length !== this.#perSlab) continue;
      bytes += slab.buffer.byteLength;
      this.#slabs.splice(i, 1);
    }
    return bytes;
  }

  /** Slabs held now (for tests and diagnostics). */
  get slabCount(): number {
    return this.#slabs.length;
  }

  /** A segment nobody else uses until it is released; from the busiest slab, so idle ones can go. */
  acquire(): Segment {
    this.#idle.touch();
    let best: Slab | undefined;
    for (const slab of this.#slabs) {
      if (slab.free.length > 0 && (best === undefined || slab.free.length < best.free.length)) best = slab;
    }
    if (best === undefined) {
      const buffer = this.#allocate(this.#perSlab * SEGMENT);
      best = { buffer, free: Array.from({ length: this.#perSlab }, (_, i) => (this.#perSlab - 1 - i) * SEGMENT) };
      this.#slabs.push(best);
    }
    const offset = best.free.pop()!;
    return { buffer: best.buffer, offset, bytes: new Uint8Array(best.buffer, offset, SEGMENT), slab: best };
  }

  /** Gives a segment back; the caller must not touch its bytes afterwards. */
  release(segment: Segment): void {
    this.#idle.touch();
    const slab = segment.slab;
    slab.free.push(segment.offset);
    if (slab.free.length < this.#perSlab) return;
    let idle = 0;
    for (const s of this.#slabs) if (s.free.length === this.#perSlab) idle++;
    if (idle > this.#keepIdle) this.#slabs.splice(this.#slabs.indexOf(slab), 1);
  }
}
