import type { BlobStore } from "../../../storage/blobs/blob-store.js";
import type { DataRef } from "../../../storage/objects/object-store.js";
import type { Logger } from "../../../util/logger.js";

/** The blobs a data reference holds: its blob, or every part blob of a multipart object. */
export function dataBlobIds(data: DataRef): string[] {
  if (data.kind === "blob") return [data.blobId];
  if (data.kind === "parts") return data.parts.map((p) => p.blobId);
  return [];
}

/**
 * Keeps a blob alive while a reader streams it. A GET looks up metadata and pins the blob in the
 * same tick, before any commit callback can release it; a released blob that is still pinned is
 * deleted when its last reader finishes. (A crash in between leaves a file the start-up sweep removes.)
 */
export class BlobPins {
  readonly #counts = new Map<string, number>();
  readonly #doomed = new Set<string>();
  constructor(
    readonly blobs: BlobStore,
    readonly logger: Logger,
  ) {}

  /** Pins a blob; call the returned function exactly once when done reading. */
  pin(blobId: string): () => void {
    this.#counts.set(blobId, (this.#counts.get(blobId) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.#counts.get(blobId) ?? 1) - 1;
      if (n > 0) {
        this.#counts.set(blobId, n);
        return;
      }
      this.#counts.delete(blobId);
      if (this.#doomed.delete(blobId)) this.#delete(blobId);
    };
  }

  /** Pins every blob of a version's data (one blob, or each part of a multipart object). */
  pinData(data: DataRef): () => void {
    const unpins = dataBlobIds(data).map((id) => this.pin(id));
    return () => unpins.forEach((unpin) => unpin());
  }

  /** Frees data no version references any more (now, or once its readers finish). */
  release(refs: readonly DataRef[]): void {
    for (const ref of refs) {
      for (const blobId of dataBlobIds(ref)) {
        if (this.#counts.has(blobId)) this.#doomed.add(blobId);
        else this.#delete(blobId);
      }
    }
  }

  #delete(blobId: string): void {
    this.blobs.delete(blobId).catch((err: unknown) => this.logger.warn("could not delete blob", { blobId, err: String(err) }));
  }
}
