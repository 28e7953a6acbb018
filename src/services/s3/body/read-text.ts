import type { Readable } from "node:stream";
import { S3Error } from "../errors.js";

/** Reads a small request body (an XML document) whole, refusing more than `limit` bytes. */
export async function readBodyText(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new S3Error("MalformedXML", "The XML you provided was larger than the maximum allowed size");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}
