import { hash } from "node:crypto";
import type { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import type { AbortHook } from "../../../server/service.js";
import { createHasher, type ChecksumAlgorithm, type Hasher } from "../checksums.js";
import { S3Error } from "../errors.js";
import type { Ingested } from "./ingest.js";
import { prematureClose } from "../../../util/premature-close.js";

/** The error a stream pipeline rejects with when its signal aborts (what `pipeline` gave before). */
function abortError(reason: unknown): Error {
  return Object.assign(new Error("The operation was aborted", { cause: reason }), { name: "AbortError", code: "ABORT_ERR" });
}

/**
 * A small body of declared length read whole and stored inline, as ingestBody does for one of at
 * most INLINE_MAX bytes (same errors), but hashed once at the end with one-shot hashes, and
 * watching the request's abort state through `abort` (no AbortSignal made for it).
 */
export async function ingestInline(
  body: Readable,
  expectedLength: number,
  checksum: ChecksumAlgorithm | undefined,
  abort: AbortSignal | AbortHook,
): Promise<Ingested> {
  const bytes = await readInline(body, expectedLength, [], abort);
  if (bytes.length !== expectedLength) throw new S3Error("IncompleteBody");
  return { size: bytes.length, md5Hex: hash("md5", bytes, "hex"), checksumValue: await checksumOf(checksum, bytes), data: { kind: "inline", bytes } };
}

/**
 * A small body the server has already read whole and checked against its payload hash
 * (ServiceRequest.wholeBody), ingested as ingestInline ingests one read here (same errors),
 * without a stream between the socket and the bytes.
 */
export async function ingestWhole(whole: Promise<Buffer>, expectedLength: number, checksum: ChecksumAlgorithm | undefined, abort: AbortSignal | AbortHook): Promise<Ingested> {
  const bytes = await unlessAborted(whole, abort);
  if (bytes.length > expectedLength) throw new S3Error("InvalidRequest", "The request body is longer than its declared length.");
  if (bytes.length !== expectedLength) throw new S3Error("IncompleteBody");
  return { size: bytes.length, md5Hex: hash("md5", bytes, "hex"), checksumValue: await checksumOf(checksum, bytes), data: { kind: "inline", bytes } };
}

/** Calls `fail` with an AbortError when the request aborts; returns what stops watching. */
function watchAbort(abort: AbortSignal | AbortHook, fail: (err: Error) => void): () => void {
  if (abort instanceof AbortSignal) {
    const onAbort = (): void => fail(abortError(abort.reason));
    abort.addEventListener("abort", onAbort, { once: true });
    return () => abort.removeEventListener("abort", onAbort);
  }
  return abort.onAbort((reason) => fail(abortError(reason)));
}

/** `work`, or an AbortError as soon as the request aborts (as readInline fails on abort). */
function unlessAborted<T>(work: Promise<T>, abort: AbortSignal | AbortHook): Promise<T> {
  if (abort.aborted) {
    work.catch(ignore);
    return Promise.reject(abortError(abort.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const stop = watchAbort(abort, reject);
    work.then(
      (v) => {
        stop();
        resolve(v);
      },
      (err: unknown) => {
        stop();
        reject(err);
      },
    );
  });
}

/** Base64 of `bytes`' checksum, as createHasher(algorithm) computes it. */
async function checksumOf(algorithm: ChecksumAlgorithm | undefined, bytes: Buffer): Promise<string | undefined> {
  switch (algorithm) {
    case undefined:
      return undefined;
    case "CRC32": {
      const out = Buffer.allocUnsafe(4);
      out.writeUInt32BE(crc32(bytes) >>> 0);
      return out.toString("base64");
    }
    case "SHA1":
      return hash("sha1", bytes, "base64");
    case "SHA256":
      return hash("sha256", bytes, "base64");
    default: {
      const h = createHasher(algorithm);
      h.update(bytes);
      return (await h.digest()).toString("base64");
    }
  }
}

/** The error a stream pipeline rejects with when its source closes before it ends. */

/**
 * Reads a small body of declared length straight into one preallocated buffer, feeding `hashers`
 * as bytes arrive. A cheaper path than a stream pipeline for the bodies stored inline (no
 * Transform, async generator, or per-call AbortController). Errors as the pipeline did: longer
 * than declared -> InvalidRequest, source error -> that error, early close -> premature close,
 * abort -> AbortError; on failure the source is destroyed. Resolves with the bytes read (fewer
 * than declared when the body ended short; the caller checks the size).
 */
export function readInline(body: Readable, expectedLength: number, hashers: readonly Hasher[], abort: AbortSignal | AbortHook): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    if (abort.aborted) {
      body.destroy();
      reject(abortError(abort.reason));
      return;
    }
    const buf = Buffer.allocUnsafe(expectedLength);
    let total = 0;
    let settled = false;
    const cleanup = (): void => {
      body.removeListener("data", onData);
      body.removeListener("end", onEnd);
      body.removeListener("close", onClose);
      stopWatching();
      // A late error after we settled must not go unhandled.
      body.removeListener("error", onError);
      body.on("error", ignore);
    };
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      cleanup();
      if (!body.destroyed) body.destroy(err as Error);
      reject(err);
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      if (total + bytes.length > expectedLength) {
        fail(new S3Error("InvalidRequest", "The request body is longer than its declared length."));
        return;
      }
      for (const h of hashers) h.update(bytes);
      buf.set(bytes, total);
      total += bytes.length;
    };
    const onEnd = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(total === expectedLength ? buf : buf.subarray(0, total));
    };
    const onError = (err: Error): void => fail(err);
    const onClose = (): void => {
      // 'end' comes before 'close' on a body read to its end.
      if (!settled) fail(prematureClose());
    };
    body.on("data", onData);
    body.once("end", onEnd);
    body.once("error", onError);
    body.once("close", onClose);
    // `fail` may run inside watchAbort (a hook already aborted) and calls stopWatching: give it a value first.
    let stopWatching = ignore;
    stopWatching = watchAbort(abort, fail);
  });
}

function ignore(): void {
  /* the body's fate was already decided */
}
