import { freeBuffers } from "../../util/free-buffers.js";
import type { LogRecord } from "./shard-log.js";

/**
 * The blocks a segment read loaded its records from, freed as soon as the caller has copied the
 * records out (a GetRecords answer written as JSON). Left to the GC, a drain's 1 MiB blocks lived
 * on after their page was sent until a mark-compact found them: tens of MiB of dead blocks on top
 * of the live ones, and malloc kept the high-water mark resident afterwards.
 */

/** Blocks under the records of each read that loaded any (each block owns its whole ArrayBuffer). */
const held = new WeakMap<readonly LogRecord[], Buffer[]>();

/** Notes that `records` point into `blocks`, which the log's read may still be adding to. */
export function holdBlocks(records: readonly LogRecord[], blocks: Buffer[]): void {
  held.set(records, blocks);
}

/**
 * Frees the blocks under `records` now. The caller promises that nothing reads any of these
 * records' `data` again: a detached view reads as empty (never as other bytes). Records that
 * came from memory (the tail cache, the in-memory log) have no blocks: nothing happens.
 */
export function freeRecordBlocks(records: readonly LogRecord[]): void {
  const blocks = held.get(records);
  if (blocks === undefined) return;
  held.delete(records);
  freeBuffers(blocks);
}
