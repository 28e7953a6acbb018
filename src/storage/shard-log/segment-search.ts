import type { Segment } from "./segment.js";

/** The segment holding `seq`: the last one whose base is <= seq (segments in base order). */
export function segmentHolding(segs: readonly Segment[], seq: number): Segment | undefined {
  let lo = 0;
  let hi = segs.length - 1;
  if (hi < 0 || segs[0]!.base > seq) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (segs[mid]!.base <= seq) lo = mid;
    else hi = mid - 1;
  }
  return segs[lo];
}

/** The first segment that is empty or whose last record's timestamp is >= `ts` (undefined: none). */
export function firstSegmentReaching(segs: readonly Segment[], ts: number): Segment | undefined {
  let lo = 0;
  let hi = segs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = segs[mid]!;
    if (s.count === 0 || s.lastTs >= ts) hi = mid;
    else lo = mid + 1;
  }
  return segs[lo];
}
