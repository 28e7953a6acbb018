import type { Readable } from "node:stream";
import type { BlobStore } from "../../../storage/blobs/blob-store.js";
import type { StoredVersion } from "../../../storage/objects/object-store.js";
import type { BlobPins } from "./blob-pins.js";
import { readData } from "./data-stream.js";

/**
 * Bytes [start, end] (inclusive) of a version that has some: inline bytes as they are, blob or
 * part data as a stream that keeps its blobs pinned until it closes (so an overwrite or delete
 * committed meanwhile cannot free them). Shared by GetObject and the internal read API.
 */
export function versionBody(deps: { readonly blobs: BlobStore; readonly pins: BlobPins }, v: StoredVersion, start: number, end: number): Uint8Array | Readable {
  if (v.data.kind === "inline") return v.data.bytes.subarray(start, end + 1);
  if (v.data.kind === "none") throw new Error(`version ${v.versionId} of ${v.key} has no data`);
  // Pin in this tick, before any commit callback could release the blob (or any part blob).
  const unpin = deps.pins.pinData(v.data);
  const stream = readData(deps.blobs, v.data, start, end);
  stream.once("close", unpin);
  return stream;
}
