/** The q-quantile (0..1) of the values, nearest-rank on a sorted copy; NaN when empty. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** The median (mean of the middle two for an even count); NaN when empty. */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A growable list of latency samples that keeps at most `cap` (evenly thinned past that). */
export class Samples {
  private data: Float64Array;
  private n = 0;
  private stride = 1;
  private seen = 0;

  constructor(private readonly cap = 200_000) {
    this.data = new Float64Array(Math.min(cap, 4096));
  }

  add(value: number): void {
    this.seen++;
    if (this.seen % this.stride !== 0) return;
    if (this.n === this.data.length) {
      if (this.n < this.cap) {
        const next = new Float64Array(Math.min(this.cap, this.n * 2));
        next.set(this.data);
        this.data = next;
      } else {
        // Keep every other sample and halve the rate from now on.
        let j = 0;
        for (let i = 0; i < this.n; i += 2) this.data[j++] = this.data[i]!;
        this.n = j;
        this.stride *= 2;
      }
    }
    this.data[this.n++] = value;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.n);
  }

  get count(): number {
    return this.seen;
  }
}
