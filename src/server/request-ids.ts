import { randomFillSync } from "node:crypto";

// One random fill serves many ids: a crypto call per request showed in the small-object profile.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let used = POOL_SIZE;

/** Reserves `n` fresh random bytes of the pool; returns where they start. */
function take(n: number): number {
  if (used + n > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const start = used;
  used += n;
  return start;
}

/** A request id in S3's style: 16 upper-case hex characters. */
export function newRequestId(): string {
  const start = take(8);
  return pool.toString("hex", start, start + 8).toUpperCase();
}

/** S3's x-amz-id-2: a longer opaque base64 token. */
export function newExtendedRequestId(): string {
  const start = take(48);
  return pool.toString("base64", start, start + 48);
}
