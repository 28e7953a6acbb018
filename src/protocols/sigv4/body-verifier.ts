import { createHash, webcrypto, type Hash } from "node:crypto";
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

/** Bodies from this size on, when read whole anyway, are hashed on libuv's thread pool. */
const OFF_THREAD_MIN_BYTES = 64 * 1024;
/** Larger declared bodies are never held back (the reader's own size limit must see them stream). */
const OFF_THREAD_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Holds the whole body back, then hashes it with WebCrypto, which runs the digest on libuv's
 * thread pool instead of the main thread, and lets it through as one chunk once `onEnd` accepts
 * the hash. More bytes than `maxBytes` are not held: from there on the body streams and is hashed
 * here, as `HashingVerifier` does.
 */
class WholeBodyHashingVerifier extends Transform {
  #chunks: Buffer[] = [];
  #size = 0;
  #hash: Hash | undefined;
  readonly #onEnd: (hex: string) => void;
  readonly #maxBytes: number;

  constructor(onEnd: (hex: string) => void, maxBytes: number) {
    super();
    this.#onEnd = onEnd;
    this.#maxBytes = maxBytes;
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (this.#hash !== undefined) {
      this.#hash.update(b);
      callback(null, b);
      return;
    }
    this.#chunks.push(b);
    this.#size += b.length;
    if (this.#size > this.#maxBytes) {
      const hash = (this.#hash = createHash("sha256"));
      for (const held of this.#chunks) {
        hash.update(held);
        this.push(held);
      }
      this.#chunks = [];
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#hash !== undefined) {
      this.#check(this.#hash.digest("hex"), undefined, callback);
      return;
    }
    const body = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#size);
    this.#chunks = [];
    webcrypto.subtle.digest("SHA-256", body).then(
      (digest) => this.#check(Buffer.from(digest).toString("hex"), body, callback),
      (err: unknown) => callback(err as Error),
    );
  }

  #check(hex: string, body: Buffer | undefined, callback: TransformCallback): void {
    try {
      this.#onEnd(hex);
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback(null, body);
  }
}

/** How the caller will read the body. */
export interface BodyVerifierOptions {
  /**
   * The body's declared length, given when the reader takes the whole body before acting on it
   * (small JSON bodies). A large one is then held back until its hash is checked, and hashed off
   * the main thread.
   */
  readonly wholeBodyBytes?: number | undefined;
}

/**
 * A Transform that turns the raw body into the payload: removes aws-chunked framing, checks each
 * chunk signature and the trailer signature, checks the sha256 of a plain body, checks
 * x-amz-decoded-content-length, and errors with AuthError (XAmzContentSHA256Mismatch /
 * SignatureDoesNotMatch / IncompleteBody) on mismatch. Trailing headers (e.g.
 * x-amz-checksum-crc32) are put into `trailers` before the stream ends. Data flows through as it
 * arrives, so consumers must treat what they have read as unverified until the stream ends.
 */
export function createBodyVerifier(check: PayloadCheck, trailers: Record<string, string>, options: BodyVerifierOptions = {}): Transform {
  const whole = options.wholeBodyBytes;
  const offThread = whole !== undefined && whole >= OFF_THREAD_MIN_BYTES && whole <= OFF_THREAD_MAX_BYTES;
  const hashing = (onEnd: (hex: string) => void): Transform => (offThread ? new WholeBodyHashingVerifier(onEnd, whole) : new HashingVerifier(onEnd));
  switch (check.type) {
    case "none":
      return new PassThrough();
    case "sha256": {
      const expected = check.expectedHex.toLowerCase();
      return hashing((hex) => {
        if (hex !== expected) throw contentSha256Mismatch(check.expectedHex, hex);
      });
    }
    case "signature-after-body":
      return hashing((hex) => check.verify(hex));
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
