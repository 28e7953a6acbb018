import type { Segment } from "./segment.js";

/**
 * Zeros written after a small group commit, in the same durable write, so that the next commits
 * land on blocks the file already has: an O_DSYNC write that grows a file also commits the
 * filesystem journal (the new size, the new blocks), one that overwrites written blocks does not.
 * Measured on the bench disk: 1 KiB O_DSYNC append ~180 us, overwrite of written blocks ~107 us.
 * A zero length field is no frame, so recovery stops at the first zero byte run (segment-scan.ts)
 * and cuts the zeros with any torn frame; readers never look past a segment's durable size.
 */
export const PREPARE_BYTES = 32 * 1024;
/** Commits at most this big get zeros after them (bigger ones are throughput, not latency). */
export const PREPARE_BELOW_BYTES = 64 * 1024;

/** Shared, never written: the zeros appended to commits. */
export const ZEROS = Buffer.alloc(PREPARE_BYTES);

/**
 * How many zero bytes to write after a commit of `bytes` at the end of `seg`: none while the commit
 * still lands within the prepared part, when it is big, or when the zeros would reach past the
 * segment's roll point (a sealed segment ends with its last frame).
 */
export function prepareAhead(seg: Segment, bytes: number, segmentBytes: number): number {
  const end = seg.size + bytes;
  if (end <= seg.preparedEnd || bytes > PREPARE_BELOW_BYTES || end + PREPARE_BYTES > segmentBytes) return 0;
  return PREPARE_BYTES;
}
