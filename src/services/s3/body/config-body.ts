import { parseChecksumRequest, verifyChecksums } from "./checksum-request.js";
import { readBodyText } from "./read-text.js";
import { createHasher } from "../checksums.js";
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
  const bytes = Buffer.from(body, "utf8");
  const md5 = createHasher("MD5");
  md5.update(bytes);
  let computed: string | undefined;
  if (sums.algorithm !== undefined) {
    const h = createHasher(sums.algorithm);
    h.update(bytes);
    computed = (await h.digest()).toString("base64");
  }
  verifyChecksums(sums, req.http.trailers, (await md5.digest()).toString("hex"), computed);
  if (integrityRequired && sums.contentMd5 === undefined && sums.algorithm === undefined) {
    throw new S3Error("InvalidRequest", "Missing required header for this request: Content-MD5");
  }
  return body;
}
