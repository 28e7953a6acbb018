/** Converts a caller's seq to a log's internal safe-integer form (seqs never pass 2^53). */
export function seqNumber(seq: bigint): number {
  if (seq <= 0n) return 0;
  return seq >= BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(seq);
}

/** The `count` seqs from `first` on, as the ShardLog interface returns them. */
export function seqRange(first: number, count: number): bigint[] {
  const out = new Array<bigint>(count);
  for (let i = 0; i < count; i++) out[i] = BigInt(first + i);
  return out;
}
