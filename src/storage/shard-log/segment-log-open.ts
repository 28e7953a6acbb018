import { mkdir, open, readFile, readdir, stat, unlink, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ShardLogCorruptError } from "./errors.js";
import { HORIZON_FILE, fsyncDir, indexFileName, parseSegmentFileName, writeFileAtomically } from "./log-paths.js";
import { scanSegment } from "./segment-scan.js";
import { readExactly } from "./segment-reader.js";
import { PREPARE_BELOW_BYTES, PREPARE_BYTES } from "./prepared-tail.js";
import { NEW_WRITER_FLAGS, Segment, WRITER_FLAGS } from "./segment.js";
import { SegmentShardLog } from "./segment-log.js";
import type { SegmentLogConfig } from "./segment-log.js";

/**
 * Opens (creating if needed) the log in `cfg.dir`: loads or rebuilds the sparse index of every
 * sealed segment, verifies the last segment frame by frame and cuts a torn or corrupt tail,
 * restores the trim horizon, and finishes deletions a crash interrupted.
 */
export async function openSegmentLog(cfg: SegmentLogConfig): Promise<SegmentShardLog> {
  await makeDir(cfg.dir);
  const names = await readdir(cfg.dir);
  const bases: number[] = [];
  for (const name of names) {
    const base = parseSegmentFileName(name);
    if (base !== undefined) bases.push(base);
    else if (name.endsWith(".tmp")) await unlink(join(cfg.dir, name)).catch(() => undefined);
  }
  bases.sort((a, b) => a - b);
  const known = new Set(bases.map(indexFileName));
  for (const name of names) {
    if (name.endsWith(".idx") && !known.has(name)) await unlink(join(cfg.dir, name)).catch(() => undefined);
  }
  let horizon = await readHorizon(cfg);
  const segments: Segment[] = [];
  try {
    if (bases.length === 0) {
      const seg = new Segment(cfg.dir, horizon, cfg.indexEveryBytes);
      seg.fh = await open(seg.path, NEW_WRITER_FLAGS);
      seg.pinned = true;
      segments.push(seg);
      await fsyncDir(cfg.dir);
    } else {
      for (let i = 0; i + 1 < bases.length; i++) segments.push(await loadSealed(cfg, bases[i]!, bases[i + 1]!));
      segments.push(await recoverActive(cfg, bases[bases.length - 1]!));
    }
  } catch (err) {
    for (const seg of segments) await seg.fh?.close().catch(() => undefined);
    throw err;
  }
  const end = segments[segments.length - 1]!.end;
  if (horizon > end) {
    cfg.logger?.warn("shard log trim horizon is past its last record; clamping", { id: cfg.id, horizon, end });
    horizon = end;
  }
  const log = new SegmentShardLog(cfg, segments, horizon);
  await log.deleteExpired();
  return log;
}

/** Creates the log directory and makes the new directory entries durable (fsync of each new dir's parent). */
async function makeDir(dir: string): Promise<void> {
  // A concurrent remove() of a sibling log may delete a shared parent between mkdir steps.
  for (let attempt = 0; ; attempt++) {
    try {
      const firstCreated = await mkdir(dir, { recursive: true });
      if (firstCreated === undefined) return;
      for (let d = dir; ; d = dirname(d)) {
        await fsyncDir(dirname(d));
        if (d === firstCreated || dirname(d) === d) return;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 5) throw err;
    }
  }
}

async function readHorizon(cfg: SegmentLogConfig): Promise<number> {
  let text: string;
  try {
    text = await readFile(join(cfg.dir, HORIZON_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as { horizon?: unknown };
    if (typeof parsed.horizon === "number" && Number.isSafeInteger(parsed.horizon) && parsed.horizon >= 0) return parsed.horizon;
  } catch {
    // fall through
  }
  cfg.logger?.warn("shard log trim horizon file is unreadable; ignoring it", { id: cfg.id });
  return 0;
}

/**
 * A sealed segment was fully synced before the roll, so it is trusted: its persisted index is
 * used when intact; otherwise it is scanned once (and the index rewritten). Damage found by that
 * scan is not fatal here: reads that reach it fail with ShardLogCorruptError.
 */
async function loadSealed(cfg: SegmentLogConfig, base: number, nextBase: number): Promise<Segment> {
  const seg = new Segment(cfg.dir, base, cfg.indexEveryBytes);
  const expected = nextBase - base;
  const size = (await stat(seg.path)).size;
  const persisted = await readFile(seg.indexPath).catch(() => undefined);
  if (persisted !== undefined && seg.loadIndex(persisted, size, expected)) return seg;
  const scanned = new Segment(cfg.dir, base, cfg.indexEveryBytes);
  const fh = await open(seg.path, "r");
  let problem: string | undefined;
  try {
    problem = (await scanSegment(fh, scanned, size)).problem;
  } finally {
    await fh.close();
  }
  if (scanned.count > expected) {
    throw new ShardLogCorruptError(`segment holds ${scanned.count} records but the next segment starts at seq ${nextBase}`, seg.path, 0);
  }
  if (problem !== undefined || scanned.count < expected) {
    cfg.logger?.error("sealed shard log segment is damaged; reads reaching the damage will fail", {
      id: cfg.id,
      path: seg.path,
      intactRecords: scanned.count,
      expectedRecords: expected,
      intactBytes: scanned.size,
      problem: problem ?? "missing records",
    });
    // Keep the intact prefix's index but claim the full range, so reads fail loudly at the damage.
    scanned.count = expected;
    scanned.size = size;
    return scanned;
  }
  await writeFileAtomically(cfg.dir, indexFileName(base), scanned.serializeIndex()).catch(() => undefined);
  return scanned;
}

/** Whether bytes [from, to) of the file are all zero (only checked up to the size of a prepared tail). */
async function onlyZeros(fh: FileHandle, from: number, to: number): Promise<boolean> {
  const length = to - from;
  if (length > PREPARE_BYTES + PREPARE_BELOW_BYTES) return false;
  const buf = Buffer.alloc(length);
  await readExactly(fh, buf, length, from, "");
  return buf.every((b) => b === 0);
}

/** Verifies the last segment and truncates anything after its last intact frame. */
async function recoverActive(cfg: SegmentLogConfig, base: number): Promise<Segment> {
  const seg = new Segment(cfg.dir, base, cfg.indexEveryBytes);
  const fh = await open(seg.path, WRITER_FLAGS);
  try {
    const size = (await fh.stat()).size;
    const result = await scanSegment(fh, seg, size);
    if (result.validBytes < size) {
      // Zeros alone are the part written ahead of the next frames (prepared-tail.ts), not damage.
      if (!(await onlyZeros(fh, result.validBytes, size))) {
        cfg.logger?.warn("shard log: cut a torn tail left by a crash", {
          id: cfg.id,
          path: seg.path,
          keptBytes: result.validBytes,
          cutBytes: size - result.validBytes,
          problem: result.problem,
        });
      }
      await fh.truncate(result.validBytes);
      await fh.datasync();
    }
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
  seg.fh = fh;
  seg.pinned = true;
  return seg;
}
