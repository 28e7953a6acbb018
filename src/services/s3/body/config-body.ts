import { parseChecksumRequest, verifyBodyBytes } from "./checksum-request.js";
import { readBodyText } from "./read-text.js";
import { S3Error } from "../errors.js";
import type { S3Request } from "../request.js";

/** Configuration documents (versioning, tagging, CORS) are small; S3 refuses larger bodies. */
const CONFIG_BODY_LIMIT = 64 * 1024;

/**
 * Reads a bucket or object configuration document whole and checks Content-MD5 /
 * x-amz-checksum-* against it. `integrityRequired`: the operation's model marks a checksum as
 * required (httpChecksum.requestChecksumRequired), and S3 refuses a body that carries none.
 */
export async function readConfigBody(req: S3Request, integrityRequired: boolean): Promise<string> {
  const sums = parseChecksumRequest(req.http.headers);
  const body = await readBodyText(req.http.body, CONFIG_BODY_LIMIT);
  await verifyBodyBytes(sums, req.http.trailers, Buffer.from(body, "utf8"));
  if (integrityRequired && sums.contentMd5 === undefined && sums.algorithm === undefined) {
    throw new S3Error("InvalidRequest", "Missing required header for this request: Content-MD5");
  }
  return body;
}
