import { MessageChannel } from "node:worker_threads";
import type { LogRecord } from "./shard-log.js";

/**
 * The blocks a segment read loaded its records from, freed as soon as the caller has copied the
 * records out (a GetRecords answer written as JSON). Left to the GC, a drain's 1 MiB blocks lived
 * on after their page was sent until a mark-compact found them: tens of MiB of dead blocks on top
 * of the live ones, and malloc kept the high-water mark resident afterwards.
 */

/** Blocks under the records of each read that loaded any (each block owns its whole ArrayBuffer). */
const held = new WeakMap<readonly LogRecord[], Buffer[]>();

// A port whose peer is closed: an ArrayBuffer in a message's transfer list is detached and its
// memory freed at once, and the message dropped.
const { port1: dropPort, port2: closedPeer } = new MessageChannel();
closedPeer.close();
dropPort.unref();

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
  if (blocks.length === 0) return;
  const buffers: ArrayBuffer[] = [];
  for (const b of blocks) {
    const ab = b.buffer;
    if (b.byteOffset === 0 && ab.byteLength === b.length && !(ab instanceof SharedArrayBuffer)) buffers.push(ab);
  }
  try {
    dropPort.postMessage(null, buffers);
  } catch {
    // a buffer that cannot be transferred: the GC frees them all
  }
}
