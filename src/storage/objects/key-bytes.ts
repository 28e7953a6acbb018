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

/** Whether `key` begins with the bytes of `prefix`. */
export const startsWith = (key: Buffer, prefix: Buffer): boolean =>
  key.length >= prefix.length && key.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;

/** The common prefix a key rolls up into in a delimited listing (prefix + up to and including the delimiter), if any. */
export function commonPrefix(key: Buffer, prefix: Buffer, delim: Buffer): Buffer | undefined {
  if (delim.length === 0 || !startsWith(key, prefix)) return undefined;
  const at = key.indexOf(delim, prefix.length);
  return at === -1 ? undefined : key.subarray(0, at + delim.length);
}
