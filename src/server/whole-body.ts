import { Readable } from "node:stream";
import { contentSha256Mismatch } from "../protocols/sigv4/errors.js";
import { sha256Hex } from "../protocols/sigv4/signing.js";
import type { PayloadCheck } from "../protocols/sigv4/index.js";
import { prematureClose } from "../util/premature-close.js";

/**
 * Bodies up to this many declared bytes, of services that read bodies whole, are read straight
 * from the request (below the size from which the body verifier hashes on its own thread).
 */
export const WHOLE_BODY_MAX_BYTES = 64 * 1024;

/** Whether `readWholeBody` can check this payload (plain hashes; not aws-chunked framing). */
export function wholeBodyCheckable(payload: PayloadCheck): boolean {
  return payload.type === "none" || payload.type === "sha256" || payload.type === "signature-after-body";
}

/** Throws what the body verifier fails with when `bytes` do not match the payload check. */
function checkWhole(payload: PayloadCheck, bytes: Buffer): void {
  if (payload.type === "sha256") {
    const hex = sha256Hex(bytes);
    if (hex !== payload.expectedHex.toLowerCase()) throw contentSha256Mismatch(payload.expectedHex, hex);
  } else if (payload.type === "signature-after-body") {
    payload.verify(sha256Hex(bytes));
  }
}

/**
 * Reads a small request body whole from the request itself and checks it against `payload` as
 * `createBodyVerifier` would (same errors), without the verifier Transform, the pipe into it and
 * the async iterator a reader makes: for a GetRecords poll those were ~15% of the bytes the server
 * allocated per request. Rejects with the request's error, or a premature close if it ends early.
 */
export function readWholeBody(req: Readable, payload: PayloadCheck): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer | string): void => {
      const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      chunks.push(b);
      size += b.length;
    };
    const done = (): void => {
      req.removeListener("data", onData);
      req.removeListener("end", onEnd);
      req.removeListener("error", onError);
      req.removeListener("close", onClose);
    };
    const onEnd = (): void => {
      done();
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      try {
        checkWhole(payload, bytes);
      } catch (err) {
        reject(err as Error);
        return;
      }
      resolve(bytes);
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onClose = (): void => {
      if (req.readableEnded) return;
      done();
      reject(prematureClose());
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/** A Readable of a whole body once read (or failing with its error), for callers that stream it. */
export function readableOf(whole: Promise<Buffer>): Readable {
  const r = new Readable({ read() {} });
  whole.then(
    (bytes) => {
      r.push(bytes);
      r.push(null);
    },
    (err: unknown) => r.destroy(err as Error),
  );
  return r;
}
