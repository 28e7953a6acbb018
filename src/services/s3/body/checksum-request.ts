import { CHECKSUM_ALGORITHMS, CHECKSUM_LENGTH, checksumHeader, createHasher, parseAlgorithm, type ChecksumAlgorithm } from "../checksums.js";
import { S3Error } from "../errors.js";

/** What a write request says about integrity: Content-MD5 and at most one additional checksum. */
export interface ChecksumRequest {
  /** Base64 Content-MD5, validated as 16 bytes. */
  readonly contentMd5: string | undefined;
  readonly algorithm: ChecksumAlgorithm | undefined;
  /** The value sent as a header; undefined when it comes in a trailer or is not sent. */
  readonly headerValue: string | undefined;
  /** True when the value arrives as a trailing header (x-amz-trailer). */
  readonly inTrailer: boolean;
}

function isValidValue(algorithm: ChecksumAlgorithm, value: string): boolean {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return false;
  return Buffer.from(value, "base64").length === CHECKSUM_LENGTH[algorithm];
}

/** Reads and validates the integrity headers of PutObject / UploadPart. */
export function parseChecksumRequest(h: Readonly<Record<string, string>>): ChecksumRequest {
  const md5 = h["content-md5"];
  if (md5 !== undefined && (!/^[A-Za-z0-9+/]*={0,2}$/.test(md5) || Buffer.from(md5, "base64").length !== 16)) {
    throw new S3Error("InvalidDigest");
  }
  const sent = CHECKSUM_ALGORITHMS.filter((a) => h[checksumHeader(a)] !== undefined);
  if (sent.length > 1) throw new S3Error("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  const trailer = h["x-amz-trailer"]?.trim().toLowerCase();
  let trailerAlgorithm: ChecksumAlgorithm | undefined;
  if (trailer !== undefined && trailer !== "") {
    trailerAlgorithm = CHECKSUM_ALGORITHMS.find((a) => checksumHeader(a) === trailer);
    if (trailerAlgorithm === undefined) throw new S3Error("InvalidRequest", `The value specified in the x-amz-trailer header is not supported`);
  }
  const sdkValue = h["x-amz-sdk-checksum-algorithm"];
  const sdkAlgorithm = parseAlgorithm(sdkValue);
  if (sdkValue !== undefined && sdkAlgorithm === undefined) {
    throw new S3Error("InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.");
  }
  const headerAlgorithm = sent[0];
  const algorithm = headerAlgorithm ?? trailerAlgorithm ?? sdkAlgorithm;
  if (headerAlgorithm !== undefined && trailerAlgorithm !== undefined && headerAlgorithm !== trailerAlgorithm) {
    throw new S3Error("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  }
  if (sdkAlgorithm !== undefined && algorithm !== sdkAlgorithm) {
    throw new S3Error("InvalidRequest", `Value for x-amz-sdk-checksum-algorithm header is invalid.`);
  }
  let headerValue: string | undefined;
  if (headerAlgorithm !== undefined) {
    headerValue = h[checksumHeader(headerAlgorithm)]!;
    if (!isValidValue(headerAlgorithm, headerValue)) {
      throw new S3Error("InvalidRequest", `Value for ${checksumHeader(headerAlgorithm)} header is invalid.`);
    }
  }
  return { contentMd5: md5, algorithm, headerValue, inTrailer: trailerAlgorithm !== undefined && headerAlgorithm === undefined };
}

/** Checks the computed digests against what the client sent (header or trailer). Throws BadDigest / InvalidRequest. */
export function verifyChecksums(
  req: ChecksumRequest,
  trailers: Readonly<Record<string, string>>,
  md5Hex: string,
  computed: string | undefined,
): void {
  if (req.contentMd5 !== undefined && Buffer.from(req.contentMd5, "base64").toString("hex") !== md5Hex) {
    throw new S3Error("BadDigest", undefined, { ExpectedDigest: Buffer.from(req.contentMd5, "base64").toString("hex"), CalculatedDigest: md5Hex });
  }
  if (req.algorithm === undefined) return;
  let expected = req.headerValue;
  if (req.inTrailer) {
    expected = trailers[checksumHeader(req.algorithm)];
    if (expected === undefined) throw new S3Error("InvalidRequest", `x-amz-trailer ${checksumHeader(req.algorithm)} was declared but not sent.`);
    if (!isValidValue(req.algorithm, expected)) throw new S3Error("InvalidRequest", `Value for ${checksumHeader(req.algorithm)} trailing header is invalid.`);
  }
  if (expected !== undefined && expected !== computed) {
    throw new S3Error("BadDigest", `The ${req.algorithm} you specified did not match the calculated checksum.`);
  }
}

/** Hashes a body already read whole (MD5, and the requested algorithm if any) and checks it as verifyChecksums does. */
export async function verifyBodyBytes(req: ChecksumRequest, trailers: Readonly<Record<string, string>>, bytes: Uint8Array): Promise<void> {
  const md5 = createHasher("MD5");
  md5.update(bytes);
  let computed: string | undefined;
  if (req.algorithm !== undefined) {
    const extra = createHasher(req.algorithm);
    extra.update(bytes);
    computed = (await extra.digest()).toString("base64");
  }
  verifyChecksums(req, trailers, (await md5.digest()).toString("hex"), computed);
}
