/** Keys per prefix of the listing bucket. */
export const KEYS_PER_PREFIX = 1000;

/** Key `i` of the listing bucket: p000/k000 ... p999/k999 (1,000 prefixes of 1,000 keys). */
export function listingKey(i: number): string {
  const p = Math.floor(i / KEYS_PER_PREFIX);
  const k = i % KEYS_PER_PREFIX;
  return `p${String(p).padStart(3, "0")}/k${String(k).padStart(3, "0")}`;
}
