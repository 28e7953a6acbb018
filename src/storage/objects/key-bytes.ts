/** Object keys are compared as UTF-8 bytes, as S3 orders them (ListObjectsV2 docs). */
export const keyBytes = (key: string): Buffer => Buffer.from(key, "utf8");

/**
 * The smallest byte string greater than every string that starts with `prefix`, or undefined
 * when there is none (the prefix is all 0xFF bytes). Used to seek past a common prefix.
 */
export function prefixSuccessor(prefix: Buffer): Buffer | undefined {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i] = out[i]! + 1;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}
