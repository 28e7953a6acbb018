import { createHash, type Hash } from "node:crypto";
import { PassThrough, Transform, type Readable, type TransformCallback } from "node:stream";
import { AwsChunkedDecoder } from "./aws-chunked-decoder.js";
import { contentSha256Mismatch } from "./errors.js";
import { sha256HexOffThread } from "./sha256-thread.js";
import type { PayloadCheck } from "./types.js";
import { freeBuffers } from "../../util/free-buffers.js";
import { DEFAULT_POOL_IDLE_MS, IdleRelease } from "../../util/idle-release.js";
import { prematureClose } from "../../util/premature-close.js";

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

/** Bodies from this size on, when read whole anyway, are hashed on the SHA-256 thread. */
const OFF_THREAD_MIN_BYTES = 64 * 1024;
/**
 * Larger declared bodies are hashed here: the reader's own size limit (16 MiB for Kinesis) will
 * refuse them, and a false length must not reserve more memory than that.
 */
const OFF_THREAD_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Shared buffers for bodies on their way to the SHA-256 thread, reused (a fresh one costs a page
 * fault per 4 KiB on first touch): at most `POOL_MAX_BYTES` of them are kept.
 */
const pool: SharedArrayBuffer[] = [];
const POOL_MAX_BYTES = 16 * 1024 * 1024;
/** Once large bodies stop, the pooled copies go too. */
const idle = new IdleRelease(DEFAULT_POOL_IDLE_MS, () => pool.splice(0).reduce((n, sab) => n + sab.byteLength, 0));

function takeShared(bytes: number): SharedArrayBuffer {
  idle.touch();
  for (let i = 0; i < pool.length; i++) {
    const sab = pool[i]!;
    if (sab.byteLength >= bytes && sab.byteLength <= 2 * bytes) {
      pool.splice(i, 1);
      return sab;
    }
  }
  return new SharedArrayBuffer(bytes);
}

function giveShared(sab: SharedArrayBuffer): void {
  idle.touch();
  let total = sab.byteLength;
  for (const s of pool) total += s.byteLength;
  if (total <= POOL_MAX_BYTES) pool.push(sab);
}

/** A whole body held in shared memory, its payload hash checked (see `takeWholeBody`). */
export interface WholeBody<R> {
  /** The body's bytes, valid until `release()`. */
  readonly bytes: Buffer;
  /** What the caller's work on the shared copy answered; undefined when it failed or did not run. */
  readonly result: R | undefined;
  /** Gives the memory back for reuse: `bytes` must no longer be used. */
  release(): void;
}

/** Work on a whole body in shared memory, e.g. a job of the shared thread pool. */
export type WholeBodyWork<R> = (buffer: SharedArrayBuffer, length: number) => Promise<R>;

/**
 * The hex SHA-256 of the shared copy that the work's answer carries: the work hashes the copy
 * itself (on the pool thread that runs it anyway), so the verifier posts no hash job of its own.
 * Undefined (no answer, or none in it): the verifier hashes the copy after the work.
 */
export type WorkSha256<R> = (result: R) => string | undefined;

interface Sink {
  readonly work: WholeBodyWork<unknown>;
  readonly sha256Of: WorkSha256<unknown>;
  readonly resolve: (body: WholeBody<unknown>) => void;
  /** Bytes past the declared length, kept (the body is then returned whole without the work). */
  readonly extra: Buffer[];
}

/**
 * Passes the body through as it arrives while copying it into shared memory of its declared
 * size; at the end the SHA-256 thread hashes that copy, and the stream ends (or fails) once the
 * hash is checked. A body longer than declared is hashed here from that point on, as
 * `HashingVerifier` does. Taken whole (`takeWhole`), it passes nothing through: the caller gets
 * the shared copy, and the result of its own work on it, once the hash is checked.
 */
class OffThreadHashingVerifier extends Transform {
  #shared: SharedArrayBuffer | undefined;
  readonly #copy: Buffer;
  #size = 0;
  #hash: Hash | undefined;
  #hashing = false;
  #passed = false;
  #sink: Sink | undefined;
  readonly #onEnd: (hex: string) => void;

  constructor(onEnd: (hex: string) => void, declaredBytes: number) {
    super();
    this.#onEnd = onEnd;
    this.#shared = takeShared(declaredBytes);
    this.#copy = Buffer.from(this.#shared, 0, declaredBytes);
  }

  /** See `takeWholeBody`; undefined once bytes were passed through. */
  takeWhole<R>(work: WholeBodyWork<R>, sha256Of: WorkSha256<R>): Promise<WholeBody<R>> | undefined {
    if (this.#passed || this.#sink !== undefined || this.readableEnded || this.destroyed) return undefined;
    return new Promise<WholeBody<R>>((resolve, reject) => {
      let settled = false;
      this.#sink = {
        work: work as WholeBodyWork<unknown>,
        sha256Of: sha256Of as WorkSha256<unknown>,
        resolve: (body) => {
          settled = true;
          resolve(body as WholeBody<R>);
        },
        extra: [],
      };
      this.once("error", (err) => {
        if (!settled) reject(err);
        settled = true;
      });
      this.once("close", () => {
        if (!settled) reject(prematureClose());
        settled = true;
      });
      this.resume();
    });
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback): void {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (this.#hash === undefined && this.#size + b.length > this.#copy.length) {
      this.#hash = createHash("sha256").update(this.#copy.subarray(0, this.#size));
      // Taken whole, the copy stays: it is the start of the body.
      if (this.#sink === undefined) this.#release();
    }
    if (this.#hash !== undefined) {
      this.#hash.update(b);
      if (this.#sink !== undefined) {
        this.#sink.extra.push(b);
        callback();
        return;
      }
    } else {
      // `fill` with a buffer of exactly the range's length is one plain memcpy; `copy` into shared
      // memory goes byte by byte whenever chunk and target are not equally aligned (V8's relaxed
      // memmove): ~230-350 us per 700 KB body on the main thread, ~18 us this way. No other thread
      // reads this range until the body is complete.
      if (b.length > 0) this.#copy.fill(b, this.#size, this.#size + b.length);
      this.#size += b.length;
      if (this.#sink !== undefined) {
        // Taken whole, the chunk goes nowhere else: its memory is freed now rather than by a
        // collection. Left to the GC, a 700 KB PutRecords body's chunks brought on a main-thread
        // mark-compact every ~18 calls (~1 every 27 when freed here).
        freeBuffers([b]);
        callback();
        return;
      }
    }
    this.#passed = true;
    callback(null, b);
  }

  override _flush(callback: TransformCallback): void {
    const shared = this.#shared;
    const sink = this.#sink;
    if (this.#hash !== undefined || shared === undefined) {
      const hex = (this.#hash ?? createHash("sha256")).digest("hex");
      if (sink === undefined) {
        this.#check(hex, callback);
        return;
      }
      // Longer than declared: the body is handed over whole, without the caller's work.
      const bytes = Buffer.concat([this.#copy.subarray(0, this.#size), ...sink.extra]);
      this.#release();
      if (this.#check(hex, callback)) sink.resolve({ bytes, result: undefined, release() {} });
      return;
    }
    this.#hashing = true;
    const size = this.#size;
    if (sink !== undefined) {
      this.#workThenHash(shared, size, sink, callback);
      return;
    }
    sha256HexOffThread(shared, size).then(
      (hex) => this.#settle(shared, size, undefined, hex, undefined, callback),
      (err: unknown) => this.#fail(err, callback),
    );
  }

  /**
   * The caller's work hashes the copy itself: one message to the pool instead of two. Its answer
   * still counts only once the hash it carries is checked; without one (the work failed, or did
   * not hash), the copy is hashed on the SHA-256 thread after the work, as usual.
   */
  #workThenHash(shared: SharedArrayBuffer, size: number, sink: Sink, callback: TransformCallback): void {
    void sink.work(shared, size).catch(() => undefined).then((result) => {
      const hex = result === undefined ? undefined : sink.sha256Of(result);
      if (hex !== undefined) {
        this.#settle(shared, size, sink, hex, result, callback);
        return;
      }
      sha256HexOffThread(shared, size).then(
        (h) => this.#settle(shared, size, sink, h, result, callback),
        (err: unknown) => this.#fail(err, callback),
      );
    });
  }

  /** The digest is in (and the work, if any, done): checks it and hands the copy over or releases it. */
  #settle(shared: SharedArrayBuffer, size: number, sink: Sink | undefined, hex: string, result: unknown, callback: TransformCallback): void {
    this.#hashing = false;
    if (sink === undefined) {
      this.#release();
      this.#check(hex, callback);
      return;
    }
    // The copy now belongs to the caller, who releases it.
    this.#shared = undefined;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      giveShared(shared);
    };
    if (this.#check(hex, callback)) sink.resolve({ bytes: this.#copy.subarray(0, size), result, release });
    else release();
  }

  /** The hash failed (the thread died) and nothing reads the copy any more. */
  #fail(err: unknown, callback: TransformCallback): void {
    this.#hashing = false;
    this.#release();
    callback(err as Error);
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    // While the thread reads the copy, the buffer is not reused: it goes back once the digest is in.
    if (!this.#hashing) this.#release();
    callback(err);
  }

  #release(): void {
    if (this.#shared !== undefined) giveShared(this.#shared);
    this.#shared = undefined;
  }

  /** Ends the stream if the hash matches (true), else fails it (false). */
  #check(hex: string, callback: TransformCallback): boolean {
    try {
      this.#onEnd(hex);
    } catch (err) {
      callback(err as Error);
      return false;
    }
    callback();
    return true;
  }
}

/**
 * For a caller that reads the body whole: when `body` is a verifier that copies a large body into
 * shared memory (a declared length of 64 KiB to 16 MiB, read whole), it stops passing the body
 * through and resolves, once the payload hash is checked, with the shared copy and what `work`
 * (run on the copy, hashing it too: see `WorkSha256`) answered. It rejects as reading the body
 * would (the AuthError of a hash mismatch first). Undefined for any other body: read it as usual.
 */
export function takeWholeBody<R>(body: Readable, work: WholeBodyWork<R>, sha256Of: WorkSha256<R>): Promise<WholeBody<R>> | undefined {
  return body instanceof OffThreadHashingVerifier ? body.takeWhole(work, sha256Of) : undefined;
}

/** How the caller will read the body. */
export interface BodyVerifierOptions {
  /**
   * The body's declared length, given when the reader takes the whole body before acting on it
   * (bounded JSON bodies, never S3's). A large one's payload hash is then computed off the main
   * thread, on a copy made as it streams through.
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
  const hashing = (onEnd: (hex: string) => void): Transform => (offThread ? new OffThreadHashingVerifier(onEnd, whole) : new HashingVerifier(onEnd));
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
