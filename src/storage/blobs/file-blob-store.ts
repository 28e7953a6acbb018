import { randomUUID } from "node:crypto";
import { constants, createReadStream, mkdirSync } from "node:fs";
import { copyFile, open, readdir, rename, rm, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { Readable, type Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { FileSpan } from "./block-reader.js";
import { directReadSpans, directReadStream } from "./direct-read.js";
import { DIRECT_ALIGN, type BlobCreateOptions, type BlobStore, type BlobWriter } from "./blob-store.js";

/** Reads of at least this many bytes go around the page cache. */
const DIRECT_READ_MIN = 1 << 20;

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Writes all of `bytes[from, from + length)` at `position`; `progress` counts the bytes written so far. */
async function writeAll(fh: FileHandle, bytes: Uint8Array, from: number, length: number, position: number, progress: { done: number }): Promise<void> {
  while (progress.done < length) {
    const { bytesWritten } = await fh.write(bytes, from + progress.done, length - progress.done, position + progress.done);
    progress.done += bytesWritten;
  }
}

/**
 * A second handle on a new file that writes around the page cache, or undefined where the
 * filesystem has no O_DIRECT (tmpfs refuses the open): the writes then all go through the cache.
 */
async function openDirect(path: string): Promise<FileHandle | undefined> {
  if (constants.O_DIRECT === undefined) return undefined;
  try {
    return await open(path, constants.O_WRONLY | constants.O_DIRECT);
  } catch {
    return undefined;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Small spans one after another, read through the page cache; each file is opened only when its turn comes. */
async function* throughCache(files: readonly FileSpan[]): AsyncGenerator<Buffer> {
  for (const { path, start, end } of files) yield* createReadStream(path, { start, end, highWaterMark: DIRECT_READ_MIN }) as AsyncIterable<Buffer>;
}

/**
 * Blobs as files at `<dir>/<2 hex>/<uuid>`; copies pass through `<dir>/tmp/<uuid>`. The id is a
 * random UUID, so no key or bucket name ever reaches a path. A blob being written is a file no
 * metadata names yet: after a crash, the start-up sweep removes it like any unreferenced blob.
 */
export function createFileBlobStore(dir: string): BlobStore {
  const tmpDir = join(dir, "tmp");
  mkdirSync(tmpDir, { recursive: true });
  const pathOf = (id: string): string => {
    if (!ID.test(id)) throw new Error(`invalid blob id ${JSON.stringify(id)}`);
    return join(dir, id.slice(0, 2), id);
  };

  const shards = new Set<string>();
  /** The shard directory of blob `id`, made (and its own entry synced) the first time it is needed. */
  async function shardOf(id: string): Promise<string> {
    const shard = join(dir, id.slice(0, 2));
    if (!shards.has(shard)) {
      if (mkdirSync(shard, { recursive: true }) !== undefined) await fsyncDir(dir);
      shards.add(shard);
    }
    return shard;
  }

  /** Renames a synced temp file into place as blob `id`, then fsyncs the directory. */
  async function publish(tmp: string, id: string): Promise<void> {
    const shard = await shardOf(id);
    await rename(tmp, pathOf(id));
    await fsyncDir(shard);
  }

  /** fsyncs a finished temp file (by path), then publishes it. */
  async function syncAndPublish(tmp: string, id: string): Promise<void> {
    const fh = await open(tmp, "r+");
    try {
      await fh.datasync();
    } finally {
      await fh.close();
    }
    await publish(tmp, id);
  }

  return {
    async create(opts?: BlobCreateOptions): Promise<BlobWriter> {
      const id = randomUUID();
      const path = pathOf(id);
      const shard = await shardOf(id);
      const fh = await open(path, "wx");
      // The new directory entry is made durable while the body streams, not after it.
      const entrySynced = fsyncDir(shard);
      entrySynced.catch(() => undefined); // awaited by commit
      // Aligned spans skip the page cache: here a buffered write cost ~1.5-2.8 s of kernel CPU per
      // GiB (copying into freshly allocated cache pages, ~60% of it), an O_DIRECT one ~0.1 s.
      const directHandle = opts?.direct === true ? await openDirect(path) : undefined;
      let direct = directHandle;
      let stream: Writable | undefined;
      let state: "open" | "committed" | "aborted" = "open";
      let closed = false;
      const close = async (): Promise<void> => {
        if (closed) return;
        closed = true;
        // A stream over the handle holds a reference to it until destroyed (close would wait forever).
        stream?.destroy();
        await Promise.all([fh.close(), directHandle?.close()]);
      };
      return {
        async write(bytes, position) {
          const progress = { done: 0 };
          const span = bytes.length - (bytes.length % DIRECT_ALIGN);
          if (direct !== undefined && position % DIRECT_ALIGN === 0 && span > 0) {
            try {
              await writeAll(direct, bytes, 0, span, position, progress);
            } catch (err) {
              // Memory or a span the device will not take directly: the cache takes the rest.
              if ((err as NodeJS.ErrnoException).code !== "EINVAL") throw err;
              direct = undefined;
            }
          }
          const rest = { done: 0 };
          await writeAll(fh, bytes, progress.done, bytes.length - progress.done, position + progress.done, rest);
        },
        get stream(): Writable {
          // Over the same handle, left open so that commit syncs it without opening the file again.
          stream ??= fh.createWriteStream({ autoClose: false, emitClose: false, highWaterMark: 1 << 20 });
          return stream;
        },
        async commit() {
          if (state !== "open") throw new Error(`blob writer already ${state}`);
          if (stream !== undefined && !stream.writableFinished) await finished(stream);
          // One inode: this also makes the direct writes durable (and flushes the device's cache).
          await fh.datasync();
          await close();
          await entrySynced;
          state = "committed";
          return id;
        },
        async abort() {
          if (state === "aborted") return;
          state = "aborted";
          stream?.destroy();
          await close().catch(() => undefined);
          await rm(path, { force: true });
        },
      };
    },
    async copy(blobId) {
      const id = randomUUID();
      const tmp = join(tmpDir, id);
      try {
        // FICLONE asks for a copy-on-write clone and falls back to copying where there is none.
        await copyFile(pathOf(blobId), tmp, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
        await syncAndPublish(tmp, id);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      return id;
    },
    read(blobId, start, end): Readable {
      const from = start ?? 0;
      const to = end ?? Number.MAX_SAFE_INTEGER;
      // Large spans are read around the page cache (see direct-read.ts); small ones through it.
      if (to - from + 1 >= DIRECT_READ_MIN) return directReadStream(pathOf(blobId), from, to);
      const opts: { highWaterMark: number; start?: number; end?: number } = { highWaterMark: 1 << 20 };
      if (start !== undefined) opts.start = start;
      if (end !== undefined) opts.end = end;
      return createReadStream(pathOf(blobId), opts);
    },
    readSpans(spans): Readable {
      const files = spans.filter((s) => s.end >= s.start).map((s) => ({ path: pathOf(s.blobId), start: s.start, end: s.end }));
      const total = files.reduce((sum, s) => sum + (s.end - s.start + 1), 0);
      // Read ahead across the spans' boundaries when large (see direct-read.ts).
      if (total >= DIRECT_READ_MIN) return directReadSpans(files);
      return Readable.from(throughCache(files), { objectMode: false });
    },
    async delete(blobId) {
      try {
        await unlink(pathOf(blobId));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      }
    },
    async sweep(isReferenced) {
      let removed = 0;
      for (const name of await readdir(tmpDir)) {
        await rm(join(tmpDir, name), { force: true, recursive: true });
        removed++;
      }
      for (const shard of await readdir(dir, { withFileTypes: true })) {
        if (!shard.isDirectory() || !/^[0-9a-f]{2}$/.test(shard.name)) continue;
        for (const name of await readdir(join(dir, shard.name))) {
          if (ID.test(name) && !isReferenced(name)) {
            await rm(join(dir, shard.name, name), { force: true });
            removed++;
          }
        }
      }
      return removed;
    },
  };
}
