import { randomUUID } from "node:crypto";
import { constants, createReadStream, mkdirSync } from "node:fs";
import { copyFile, open, readdir, rename, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { BlobStore, BlobWriter } from "./blob-store.js";

const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
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
    async create(): Promise<BlobWriter> {
      const id = randomUUID();
      const path = pathOf(id);
      const shard = await shardOf(id);
      const fh = await open(path, "wx");
      // The new directory entry is made durable while the body streams, not after it.
      const entrySynced = fsyncDir(shard);
      entrySynced.catch(() => undefined); // awaited by commit
      let stream: Writable | undefined;
      let state: "open" | "committed" | "aborted" = "open";
      let closed = false;
      const close = async (): Promise<void> => {
        if (closed) return;
        closed = true;
        // A stream over the handle holds a reference to it until destroyed (close would wait forever).
        stream?.destroy();
        await fh.close();
      };
      return {
        async write(bytes, position) {
          let done = 0;
          while (done < bytes.length) {
            const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
            done += bytesWritten;
          }
        },
        get stream(): Writable {
          // Over the same handle, left open so that commit syncs it without opening the file again.
          stream ??= fh.createWriteStream({ autoClose: false, emitClose: false, highWaterMark: 1 << 20 });
          return stream;
        },
        async commit() {
          if (state !== "open") throw new Error(`blob writer already ${state}`);
          if (stream !== undefined && !stream.writableFinished) await finished(stream);
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
      const opts: { highWaterMark: number; start?: number; end?: number } = { highWaterMark: 1 << 20 };
      if (start !== undefined) opts.start = start;
      if (end !== undefined) opts.end = end;
      return createReadStream(pathOf(blobId), opts);
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
