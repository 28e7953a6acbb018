import { Readable } from "node:stream";
import type { BlobSpan, BlobStore } from "../../../storage/blobs/blob-store.js";
import type { DataRef, PartRef } from "../../../storage/objects/object-store.js";

/** Where one part of a multipart object sits in the object: bytes [start, start + size). */
export interface PartSpan {
  readonly part: PartRef;
  /** 1-based position of the part in the object (what GetObject's partNumber counts). */
  readonly index: number;
  readonly start: number;
}

/** The offset of every part in a multipart object (sizes are plain numbers: safe to 2^53). */
export function partSpans(parts: readonly PartRef[]): PartSpan[] {
  let offset = 0;
  return parts.map((part, i) => {
    const span = { part, index: i + 1, start: offset };
    offset += part.size;
    return span;
  });
}

/** The blob spans holding bytes [start, end] (inclusive) of a multipart object (parts with none left out). */
function partsInRange(parts: readonly PartRef[], start: number, end: number): BlobSpan[] {
  const spans: BlobSpan[] = [];
  for (const { part, start: at } of partSpans(parts)) {
    const last = at + part.size - 1;
    if (part.size === 0 || last < start) continue;
    if (at > end) break;
    spans.push({ blobId: part.blobId, start: Math.max(start, at) - at, end: Math.min(end, last) - at });
  }
  return spans;
}

/**
 * Streams bytes [start, end] (inclusive) of any version's data: inline bytes, one blob, or the
 * part blobs of a multipart object in order. The caller pins the blobs (BlobPins.pinData) first.
 */
export function readData(blobs: BlobStore, data: DataRef, start: number, end: number): Readable {
  switch (data.kind) {
    case "inline":
      return Readable.from(end < start ? [] : [Buffer.from(data.bytes.buffer, data.bytes.byteOffset + start, end - start + 1)], { objectMode: false });
    case "none":
      return Readable.from([], { objectMode: false });
    case "blob":
      if (end < start) return Readable.from([], { objectMode: false });
      return blobs.read(data.blobId, start, end);
    case "parts":
      // One stream over the part blobs, pulled only as fast as the consumer reads.
      return blobs.readSpans(partsInRange(data.parts, start, end));
  }
}
