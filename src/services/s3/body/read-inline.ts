import type { Readable } from "node:stream";
import type { Hasher } from "../checksums.js";
import { S3Error } from "../errors.js";

/** The error a stream pipeline rejects with when its signal aborts (what `pipeline` gave before). */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error("The operation was aborted", { cause: signal.reason as unknown }), { name: "AbortError", code: "ABORT_ERR" });
}

/** The error a stream pipeline rejects with when its source closes before it ends. */
function prematureClose(): Error {
  return Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
}

/**
 * Reads a small body of declared length straight into one preallocated buffer, feeding `hashers`
 * as bytes arrive. A cheaper path than a stream pipeline for the bodies stored inline (no
 * Transform, async generator, or per-call AbortController). Errors as the pipeline did: longer
 * than declared -> InvalidRequest, source error -> that error, early close -> premature close,
 * abort -> AbortError; on failure the source is destroyed. Resolves with the bytes read (fewer
 * than declared when the body ended short; the caller checks the size).
 */
export function readInline(body: Readable, expectedLength: number, hashers: readonly Hasher[], signal: AbortSignal): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    if (signal.aborted) {
      body.destroy();
      reject(abortError(signal));
      return;
    }
    const buf = Buffer.allocUnsafe(expectedLength);
    let total = 0;
    let settled = false;
    const cleanup = (): void => {
      body.removeListener("data", onData);
      body.removeListener("end", onEnd);
      body.removeListener("close", onClose);
      signal.removeEventListener("abort", onAbort);
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
    const onAbort = (): void => fail(abortError(signal));
    body.on("data", onData);
    body.once("end", onEnd);
    body.once("error", onError);
    body.once("close", onClose);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function ignore(): void {
  /* the body's fate was already decided */
}
