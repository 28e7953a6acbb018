import type { Readable } from "node:stream";

/**
 * Reads a (small, JSON) request body whole, refusing more than `maxBytes`: the stream is
 * destroyed and `tooLarge()` thrown as soon as the limit is passed. Errors of the body stream
 * (an AuthError from the signature verifier) propagate.
 */
export async function readSmallBody(body: Readable, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks = await readChunks(body, maxBytes, tooLarge);
  // A body that came as one chunk is not copied.
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Bodies up to this size are gathered in one buffer kept for the next request. */
const SCRATCH_MAX_BYTES = 4 * 1024 * 1024;
let scratch: Buffer | undefined;

/**
 * Reads a body as `readSmallBody` does and hands its bytes to `use`, which must be done with them
 * (and any view of them) when it returns, synchronously: they are gathered in a buffer that the
 * next request reuses,
 * instead of a fresh one per request (a 700 KB PutRecords body made one per call, and with it
 * garbage-collector work for the external memory).
 */
export async function withSmallBody<T>(body: Readable, maxBytes: number, tooLarge: () => Error, use: (bytes: Buffer) => T): Promise<T> {
  const chunks = await readChunks(body, maxBytes, tooLarge);
  let size = 0;
  for (const c of chunks) size += c.length;
  if (size > SCRATCH_MAX_BYTES) return use(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  if (scratch === undefined || scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX_BYTES, Math.max(64 * 1024, 2 ** Math.ceil(Math.log2(size)))));
  const buf = scratch;
  let off = 0;
  for (const c of chunks) off += c.copy(buf, off);
  return use(buf.subarray(0, size));
}

async function readChunks(body: Readable, maxBytes: number, tooLarge: () => Error): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += b.length;
    if (size > maxBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(b);
  }
  return chunks;
}
