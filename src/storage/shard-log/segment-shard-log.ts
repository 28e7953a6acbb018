import { rm, rmdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Logger } from "../../util/logger.js";
import type { ShardLog, ShardLogStore } from "./shard-log.js";
import { ShardLogClosedError } from "./errors.js";
import { fsyncDir, logDirFor } from "./log-paths.js";
import { HandlePool } from "./handle-pool.js";
import { openSegmentLog } from "./segment-log-open.js";
import type { SegmentShardLog } from "./segment-log.js";

/** Options of the embedded, file-backed shard log store. */
export interface SegmentShardLogStoreOptions {
  /** Root directory; each log gets its own sub directory (see logDirFor). */
  readonly dir: string;
  /** Start a new segment file once the active one reaches this many bytes (default 64 MiB). */
  readonly segmentBytes?: number;
  /** Bytes between entries of a segment's sparse seq/timestamp index (default 64 KiB). */
  readonly indexEveryBytes?: number;
  /** Most idle read handles of sealed segments kept open across all logs (default 256). */
  readonly maxOpenFiles?: number;
  /** Receives recovery events (torn tails cut, damaged segments) and write errors. */
  readonly logger?: Logger;
  /** Write a lone small commit directly on the main thread (direct-write.ts) and other small group commits on the logs' own threads (write-threads.ts), instead of through FileHandle on libuv's pool (default true). */
  readonly writeThreads?: boolean;
}

/** The embedded ShardLogStore: one directory of checksummed segment files per log, group-committed fsyncs. */
export function createSegmentShardLogStore(options: SegmentShardLogStoreOptions): ShardLogStore {
  return new SegmentShardLogStore(options);
}

class SegmentShardLogStore implements ShardLogStore {
  readonly #root: string;
  readonly #segmentBytes: number;
  readonly #indexEveryBytes: number;
  readonly #logger: Logger | undefined;
  readonly #writeThreads: boolean;
  readonly #pool: HandlePool;
  readonly #logs = new Map<string, SegmentShardLog>();
  /** Serializes open/remove per id. */
  readonly #locks = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(options: SegmentShardLogStoreOptions) {
    this.#root = resolve(options.dir);
    this.#segmentBytes = positive(options.segmentBytes, 64 * 1024 * 1024, "segmentBytes");
    this.#indexEveryBytes = positive(options.indexEveryBytes, 64 * 1024, "indexEveryBytes");
    this.#logger = options.logger;
    this.#writeThreads = options.writeThreads ?? true;
    this.#pool = new HandlePool(positive(options.maxOpenFiles, 256, "maxOpenFiles"));
  }

  async open(id: string): Promise<ShardLog> {
    const dir = logDirFor(this.#root, id);
    return this.#withLock(id, async () => {
      if (this.#closed) throw new ShardLogClosedError("shard log store is closed");
      const existing = this.#logs.get(id);
      if (existing !== undefined) {
        if (!existing.closing) return existing;
        await existing.close();
      }
      const log = await openSegmentLog({
        id,
        dir,
        segmentBytes: this.#segmentBytes,
        indexEveryBytes: this.#indexEveryBytes,
        pool: this.#pool,
        logger: this.#logger,
        writeThreads: this.#writeThreads,
      });
      this.#logs.set(id, log);
      return log;
    });
  }

  async remove(id: string): Promise<void> {
    const dir = logDirFor(this.#root, id);
    await this.#withLock(id, async () => {
      const log = this.#logs.get(id);
      if (log !== undefined) {
        this.#logs.delete(id);
        await log.close();
      }
      await rm(dir, { recursive: true, force: true });
      // Drop now-empty parents (e.g. the stream's directory once its last shard is gone).
      let parent = dirname(dir);
      while (parent !== this.#root && parent.startsWith(this.#root)) {
        try {
          await rmdir(parent);
        } catch {
          break;
        }
        parent = dirname(parent);
      }
      await fsyncDir(parent).catch(() => undefined);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#locks.values()]);
    const logs = [...this.#logs.values()];
    this.#logs.clear();
    await Promise.all(logs.map((log) => log.close()));
  }

  #withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(id) ?? Promise.resolve();
    const run = prev.then(fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(id, tail);
    void tail.then(() => {
      if (this.#locks.get(id) === tail) this.#locks.delete(id);
    });
    return run;
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
