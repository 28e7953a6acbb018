import { createHash } from "node:crypto";
import { PassThrough, Transform, type TransformCallback } from "node:stream";
import { AwsChunkedDecoder } from "./aws-chunked-decoder.js";
import { contentSha256Mismatch } from "./errors.js";
import type { PayloadCheck } from "./types.js";

/** Passes the body through while hashing it; `onEnd` gets the hex SHA-256 and may throw. */
class HashingVerifier extends Transform {
  readonly #hash = createHash("sha256");
  readonly #onEnd: (hex: string) => void;

  constructor(onEnd: (hex: string) => void) {
    super();
    this.#onEnd = onEnd;
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#onEnd(this.#hash.digest("hex"));
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}

/**
 * A Transform that turns the raw body into the payload: removes aws-chunked framing, checks each
 * chunk signature and the trailer signature, checks the sha256 of a plain body, checks
 * x-amz-decoded-content-length, and errors with AuthError (XAmzContentSHA256Mismatch /
 * SignatureDoesNotMatch / IncompleteBody) on mismatch. Trailing headers (e.g.
 * x-amz-checksum-crc32) are put into `trailers` before the stream ends. Data flows through as it
 * arrives, so consumers must treat what they have read as unverified until the stream ends.
 */
export function createBodyVerifier(check: PayloadCheck, trailers: Record<string, string>): Transform {
  switch (check.type) {
    case "none":
      return new PassThrough();
    case "sha256": {
      const expected = check.expectedHex.toLowerCase();
      return new HashingVerifier((hex) => {
        if (hex !== expected) throw contentSha256Mismatch(check.expectedHex, hex);
      });
    }
    case "signature-after-body":
      return new HashingVerifier((hex) => check.verify(hex));
    case "streaming-signed":
      return new AwsChunkedDecoder({
        signing: { seedSignature: check.seedSignature, signingKey: check.signingKey, scope: check.scope, amzDate: check.amzDate },
        trailer: check.trailer,
        decodedLength: check.decodedLength,
        trailers,
      });
    case "streaming-unsigned-trailer":
      return new AwsChunkedDecoder({ signing: undefined, trailer: true, decodedLength: check.decodedLength, trailers });
  }
}
