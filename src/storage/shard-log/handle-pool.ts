import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import type { Segment } from "./segment.js";

/** The segment was deleted by trim (or its log closed) before a reader could open it. */
export class SegmentGoneError extends Error {
  override readonly name = "SegmentGoneError";
}

/**
 * Read handles of sealed segments, shared by every log of a store and capped in number
 * (least recently used idle handles are closed first). A handle in use is never closed under
 * its reader: `acquire` counts references and `release` closes retired segments' handles.
 */
export class HandlePool {
  readonly #max: number;
  /** Open, unpinned handles in least-recently-used-first order. */
  readonly #lru = new Set<Segment>();

  constructor(maxOpenFiles: number) {
    this.#max = Math.max(1, maxOpenFiles);
  }

  /** A handle for reading `seg`; pair with `release(seg)`. */
  async acquire(seg: Segment): Promise<FileHandle> {
    if (seg.retired) throw new SegmentGoneError(seg.path);
    seg.refs++;
    try {
      if (seg.fh !== undefined) {
        this.#touch(seg);
        return seg.fh;
      }
      seg.opening ??= this.#open(seg);
      return await seg.opening;
    } catch (err) {
      this.release(seg);
      if (seg.retired && (err as NodeJS.ErrnoException).code === "ENOENT") throw new SegmentGoneError(seg.path);
      throw err;
    }
  }

  async #open(seg: Segment): Promise<FileHandle> {
    try {
      const fh = await open(seg.path, "r");
      seg.fh = fh;
      this.#touch(seg);
      this.#evict();
      return fh;
    } finally {
      seg.opening = undefined;
    }
  }

  /** Ends one `acquire`. */
  release(seg: Segment): void {
    seg.refs--;
    if (seg.refs === 0 && seg.retired) void this.#closeHandle(seg);
  }

  /** Hands a segment's already open handle (the former writer's) to the pool. */
  adopt(seg: Segment): void {
    seg.pinned = false;
    if (seg.fh !== undefined) {
      this.#touch(seg);
      this.#evict();
    }
  }

  /** Marks a segment deleted or closed: its handle closes now if idle, else on the last release. */
  async retire(seg: Segment): Promise<void> {
    seg.retired = true;
    seg.pinned = false;
    this.#lru.delete(seg);
    if (seg.refs === 0) await this.#closeHandle(seg);
  }

  #touch(seg: Segment): void {
    if (seg.pinned || seg.retired) return;
    this.#lru.delete(seg);
    this.#lru.add(seg);
  }

  #evict(): void {
    if (this.#lru.size <= this.#max) return;
    for (const seg of this.#lru) {
      if (this.#lru.size <= this.#max) break;
      if (seg.refs > 0) continue;
      this.#lru.delete(seg);
      void this.#closeHandle(seg);
    }
  }

  async #closeHandle(seg: Segment): Promise<void> {
    this.#lru.delete(seg);
    const fh = seg.fh;
    seg.fh = undefined;
    if (fh !== undefined) await fh.close().catch(() => undefined);
  }
}
