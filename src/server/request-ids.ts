import { randomBytes } from "node:crypto";

/** A request id in S3's style: 16 upper-case hex characters. */
export function newRequestId(): string {
  return randomBytes(8).toString("hex").toUpperCase();
}

/** S3's x-amz-id-2: a longer opaque base64 token. */
export function newExtendedRequestId(): string {
  return randomBytes(48).toString("base64");
}
