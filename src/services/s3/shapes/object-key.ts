import { S3Error } from "../errors.js";

/** Object keys are at most 1,024 bytes of UTF-8 (S3 User Guide, "Naming objects"). */
export const MAX_KEY_BYTES = 1024;

export function assertKey(key: string): void {
  const size = Buffer.byteLength(key, "utf8");
  if (size > MAX_KEY_BYTES) throw new S3Error("KeyTooLongError", undefined, { MaxSizeAllowed: String(MAX_KEY_BYTES), Size: String(size) });
}
