import { Readable } from "node:stream";
import { BlockReader, type FileSpan } from "./block-reader.js";
import { SEGMENT } from "./segment-pool.js";
import { prematureClose } from "../../util/premature-close.js";
import { endAndFinish, type ResponseSink } from "../../util/response-sink.js";

/**
 * Bytes per chunk handed on when read as a Readable. The server runs with a fixed malloc mmap
 * threshold of 512 KiB (the entry point's first line): a 1 MiB copy would be a fresh mapping,
 * page-faulted in and unmapped, per block; pieces under it come from (and go back to) the heap.
 */
const PIECE = 256 * 1024;

/**
 * Spans of files one after another (e.g. bytes [start, end] of one file), read in 1 MiB blocks
 * around the page cache (see BlockReader), the next blocks read while the last go out. A span
 * ends early if its file is shorter.
 *
 * Read as a Readable, each block is copied out in pieces, so its segment is free at once
 * whatever the consumer keeps. Written by the server (`writeTo`, see SelfWritingBody in
 * server/write-response.ts), each block goes to the socket as it is, and its segment is read
 * into again only once the socket has called back for it: on a 1 GiB GET the copies (a fresh
 * 1 GiB of external memory per GiB sent) cost ~0.6 s of GC helper-thread CPU per GiB besides
 * the copying itself.
 */
export class DirectReadStream extends Readable {
  #reader: BlockReader | undefined;
  #pieces: Buffer[] = [];

  constructor(private readonly spans: readonly FileSpan[]) {
    super({ highWaterMark: SEGMENT });
  }

  #take(): BlockReader {
    if (this.#reader !== undefined) throw new Error("direct read stream consumed twice");
    this.#reader = new BlockReader(this.spans);
    return this.#reader;
  }

  override _read(): void {
    const reader = this.#reader ?? this.#take();
    this.#piece(reader).then(
      (piece) => this.push(piece ?? null),
      (err: unknown) => this.destroy(err as Error),
    );
  }

  async #piece(reader: BlockReader): Promise<Buffer | undefined> {
    if (this.#pieces.length === 0) {
      const block = await reader.next();
      if (block === undefined) return undefined;
      const { bytes } = block;
      for (let at = 0; at < bytes.length; at += PIECE) this.#pieces.push(Buffer.from(bytes.subarray(at, Math.min(bytes.length, at + PIECE))));
      reader.release(block.segment);
    }
    return this.#pieces.shift();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#pieces = [];
    const reader = this.#reader;
    if (reader === undefined) callback(err);
    else
      reader.close().then(
        () => callback(err),
        (closeErr: unknown) => callback(err ?? (closeErr as Error)),
      );
  }

  /**
   * Writes the bytes to `sink` and ends it; settles once it has finished (rejecting if it closed
   * early or a read failed). The stream is destroyed afterwards either way.
   */
  async writeTo(sink: ResponseSink): Promise<void> {
    const reader = this.#take();
    const interrupt = (): void => reader.interrupt(prematureClose());
    sink.once("close", interrupt);
    try {
      for (;;) {
        const block = await reader.next();
        if (block === undefined) break;
        if (sink.destroyed) {
          reader.release(block.segment);
          throw prematureClose();
        }
        // Released only when the sink is done with the bytes, whether sent or dropped.
        sink.write(block.bytes, () => reader.release(block.segment));
      }
      await endAndFinish(sink);
    } finally {
      sink.removeListener("close", interrupt);
      await reader.close();
      this.destroy();
    }
  }
}

/** Streams bytes [start, end] (inclusive) of a file read around the page cache: see {@link DirectReadStream}. */
export function directReadStream(path: string, start: number, end: number): DirectReadStream {
  return new DirectReadStream([{ path, start, end }]);
}

/** Streams spans of files one after another, read around the page cache: see {@link DirectReadStream}. */
export function directReadSpans(spans: readonly FileSpan[]): DirectReadStream {
  return new DirectReadStream(spans);
}
