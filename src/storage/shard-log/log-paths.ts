import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { join, resolve, sep } from "node:path";

const SEGMENT_SUFFIX = ".seg";
const INDEX_SUFFIX = ".idx";
const NAME_DIGITS = 20;
/** Suffix of a log's leaf directory; encoded components never contain '.', so ids cannot collide. */
const LOG_DIR_SUFFIX = ".shardlog";

/** File holding the persisted trim horizon of a log. */
export const HORIZON_FILE = "horizon.json";

/**
 * The directory of log `id` under `root`. Each '/'-separated component is percent-encoded
 * (everything but A-Z a-z 0-9 _ - becomes %XX, including '.'), so no id can escape `root`,
 * and the leaf gets `.shardlog`, so one log's directory never nests inside another's.
 */
export function logDirFor(root: string, id: string): string {
  const parts = id.split("/");
  if (parts.some((p) => p.length === 0)) throw new TypeError(`invalid shard log id ${JSON.stringify(id)}`);
  const encoded = parts.map(encodeComponent);
  encoded[encoded.length - 1] += LOG_DIR_SUFFIX;
  const base = resolve(root);
  const dir = resolve(base, ...encoded);
  if (!dir.startsWith(base + sep)) throw new TypeError(`invalid shard log id ${JSON.stringify(id)}`);
  return dir;
}

function encodeComponent(part: string): string {
  let out = "";
  for (const byte of Buffer.from(part, "utf8")) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** File name of the segment whose first seq is `base` (zero padded so names sort by seq). */
export function segmentFileName(base: number): string {
  return String(base).padStart(NAME_DIGITS, "0") + SEGMENT_SUFFIX;
}

/** File name of the persisted sparse index of the segment starting at `base`. */
export function indexFileName(base: number): string {
  return String(base).padStart(NAME_DIGITS, "0") + INDEX_SUFFIX;
}

/** The base seq encoded in a segment file name, or undefined for other files. */
export function parseSegmentFileName(name: string): number | undefined {
  if (name.length !== NAME_DIGITS + SEGMENT_SUFFIX.length || !name.endsWith(SEGMENT_SUFFIX)) return undefined;
  const digits = name.slice(0, NAME_DIGITS);
  if (!/^[0-9]+$/.test(digits)) return undefined;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** fsyncs a directory so entries created, renamed or removed in it survive a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `dir/name` atomically and durably: write a temp file, fsync it, rename, fsync the dir. */
export async function writeFileDurably(dir: string, name: string, data: Uint8Array): Promise<void> {
  const tmp = join(dir, name + ".tmp");
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, join(dir, name));
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dir);
}

/** Replaces `dir/name` atomically but without fsync (for caches that are verified on load). */
export async function writeFileAtomically(dir: string, name: string, data: Uint8Array): Promise<void> {
  const tmp = join(dir, name + ".tmp");
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(data);
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, name));
}

/** Writes `bufs` (`total` bytes) at `position`, continuing after a short writev. */
export async function writeAll(fh: FileHandle, bufs: Buffer[], position: number, total: number): Promise<void> {
  const { bytesWritten } = await fh.writev(bufs, position);
  if (bytesWritten === total) return;
  const rest = Buffer.concat(bufs).subarray(bytesWritten);
  let done = 0;
  while (done < rest.length) {
    const r = await fh.write(rest, done, rest.length - done, position + bytesWritten + done);
    done += r.bytesWritten;
  }
}

/** Removes `path`; a file already gone is fine. */
export async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
