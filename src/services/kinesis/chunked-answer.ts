import { Readable } from "node:stream";
import type { SelfWritingBody } from "../../server/write-response.js";
import { endAndFinish, whenOrClosed, type ResponseSink } from "../../util/response-sink.js";
import { prematureClose } from "../../util/premature-close.js";

/**
 * A large answer written chunk by chunk as the client takes it. Written by the server
 * (`writeTo`), it reuses a few chunk buffers, each once the response has handed the previous
 * bytes in it on: a drain's 14 MB GetRecords page went out as ~55 fresh 256 KiB buffers, which
 * lived until a collection found them and, counted as external memory, brought collections on
 * sooner. Read as a Readable (tests, other consumers), each chunk is a fresh buffer.
 */

/** Writes the answer's bytes in order into the chunks it is given. */
export interface ChunkFiller {
  /**
   * Writes the next bytes into `out` from offset 0; returns how many (0 once everything is
   * written, or when the next piece needs more room than `out` has: see `needBytes`). The
   * bytes of `out` are not looked at again after it returns.
   */
  fill(out: Buffer): Promise<number>;
  /** True once every byte has been written. */
  readonly done: boolean;
  /** Room the next piece needs when `fill` wrote nothing before the end. */
  readonly needBytes: number;
  /** Lets go of what the filler holds (idempotent); called when the answer ends or is abandoned. */
  release(): void;
}

/** Bytes per chunk (also the size up to which answers are written into one buffer instead). */
export const ANSWER_CHUNK_BYTES = 256 * 1024;
/** Chunks one answer keeps for reuse (one being written, one being filled, one spare). */
const KEEP_CHUNKS = 3;

export class ChunkedAnswer extends Readable implements SelfWritingBody {
  #filler: ChunkFiller;
  #taken = false;

  constructor(filler: ChunkFiller) {
    super();
    this.#filler = filler;
  }

  /** The next chunk's bytes in `out` (or in a buffer of its own when the next piece is bigger); undefined at the end. */
  async #next(out: Buffer): Promise<Buffer | undefined> {
    const f = this.#filler;
    let n = await f.fill(out);
    if (n === 0 && !f.done) {
      out = Buffer.allocUnsafe(f.needBytes); // a record bigger than a chunk
      n = await f.fill(out);
      if (n === 0) throw new Error(`answer chunk: ${f.needBytes} bytes were not enough for the next piece`);
    }
    return n === 0 ? undefined : out.subarray(0, n);
  }

  #take(): void {
    if (this.#taken) throw new Error("answer body read twice");
    this.#taken = true;
  }

  override _read(): void {
    if (!this.#taken) this.#take();
    this.#next(Buffer.allocUnsafe(ANSWER_CHUNK_BYTES)).then(
      (chunk) => this.push(chunk ?? null),
      (err: unknown) => this.destroy(err as Error),
    );
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#filler.release();
    callback(err);
  }

  async writeTo(res: ResponseSink): Promise<void> {
    this.#take();
    const free: Buffer[] = [];
    try {
      for (;;) {
        const out = free.pop() ?? Buffer.allocUnsafe(ANSWER_CHUNK_BYTES);
        const chunk = await this.#next(out);
        if (chunk === undefined) break;
        if (res.destroyed) throw prematureClose();
        const reusable = chunk.buffer === out.buffer;
        const more = res.write(chunk, (err) => {
          if (!err && reusable && free.length < KEEP_CHUNKS) free.push(out);
        });
        if (this.#filler.done) break;
        if (!more) {
          if (res.destroyed) throw prematureClose();
          await whenOrClosed(res, "drain");
        }
      }
      await endAndFinish(res);
    } finally {
      this.#filler.release();
      this.destroy();
    }
  }
}
