import { randomFillSync } from "node:crypto";

// One random fill serves many ids: a crypto call per request showed in the small-object profile.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let used = POOL_SIZE;

function take(n: number): Buffer {
  if (used + n > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const out = pool.subarray(used, used + n);
  used += n;
  return out;
}

/** A request id in S3's style: 16 upper-case hex characters. */
export function newRequestId(): string {
  return take(8).toString("hex").toUpperCase();
}

/** S3's x-amz-id-2: a longer opaque base64 token. */
export function newExtendedRequestId(): string {
  return take(48).toString("base64");
}
