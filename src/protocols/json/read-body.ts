import type { Readable } from "node:stream";

/**
 * Reads a (small, JSON) request body whole, refusing more than `maxBytes`: the stream is
 * destroyed and `tooLarge()` thrown as soon as the limit is passed. Errors of the body stream
 * (an AuthError from the signature verifier) propagate.
 */
export async function readSmallBody(body: Readable, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
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
  // A body that came as one chunk (as a verifier that held it back sends it) is not copied.
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
