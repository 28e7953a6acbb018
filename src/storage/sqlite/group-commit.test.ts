// GroupCommit with its checkpoint thread: writes stay durable and whole, the WAL stays bounded
// (it restarts from its start once the checkpoint thread has copied it), and a kill -9 in the
// middle of writes and checkpoints loses no acknowledged write.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import { openDatabase } from "./database.js";
import { GroupCommit } from "./group-commit.js";

const CHILD_FLAG = "--group-commit-crash-child";
const PAGE = 4096;
const FAST = { startAfterCommits: 1, restartFrames: 64, intervalMs: 1, idleMs: 60_000 } as const;

function openTable(path: string): ReturnType<typeof openDatabase> {
  const db = openDatabase(path);
  db.exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, data BLOB NOT NULL) STRICT");
  return db;
}

/** Child mode: writes rows until killed, printing the id of each one acknowledged. */
async function crashChild(path: string): Promise<void> {
  const db = openTable(path);
  const gc = new GroupCommit(db, path, FAST);
  const insert = db.prepare("INSERT INTO t (id, data) VALUES (?, ?)");
  let next = 0;
  const writer = async (): Promise<void> => {
    for (;;) {
      const id = next++;
      await gc.run(() => insert.run(id, Buffer.alloc(PAGE, id % 251)));
      process.stdout.write(`${id}\n`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, writer));
}

if (process.argv.includes(CHILD_FLAG)) {
  await crashChild(process.argv[process.argv.indexOf(CHILD_FLAG) + 1]!);
} else {
  describe("GroupCommit checkpoint thread", () => {
    const dir = mkdtempSync(join(tmpdir(), "sl-group-commit-"));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("checkpoints off the main thread and keeps the WAL bounded", async () => {
      const path = join(dir, "bounded.db");
      const db = openTable(path);
      const gc = new GroupCommit(db, path, FAST);
      const insert = db.prepare("INSERT INTO t (id, data) VALUES (?, ?)");
      // The thread starts after the first commit; until it is up the main connection checkpoints.
      await gc.run(() => insert.run(-1, Buffer.alloc(PAGE)));
      const deadline = Date.now() + 10_000;
      while (!gc.checkpointingOffThread && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.ok(gc.checkpointingOffThread, "the checkpoint thread never started");
      const before = statSync(`${path}-wal`).size;
      let maxWal = 0;
      const rounds = 300;
      for (let round = 0; round < rounds; round++) {
        const batch = [];
        for (let i = 0; i < 8; i++) {
          const id = round * 8 + i;
          batch.push(gc.run(() => insert.run(id, Buffer.alloc(PAGE, id % 251))));
        }
        await Promise.all(batch);
        maxWal = Math.max(maxWal, statSync(`${path}-wal`).size);
      }
      assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 0);
      // 2,400 rows of 4 KiB wrote ~5,000 frames (~20 MiB); restarts keep the WAL to a few hundred.
      assert.ok(maxWal <= Math.max(before, 1024 * (PAGE + 24)), `WAL grew to ${maxWal} bytes`);
      await gc.close();
      assert.equal(gc.checkpointingOffThread, false);
      db.close();
      const reopened = openTable(path);
      assert.deepEqual(reopened.prepare("SELECT count(*) AS n FROM t").get(), { n: rounds * 8 + 1 });
      assert.equal(reopened.pragma("integrity_check", { simple: true }), "ok");
      reopened.close();
    });

    it("hands checkpoints back to the main connection when its thread idles out", async () => {
      const path = join(dir, "idle.db");
      const db = openTable(path);
      const gc = new GroupCommit(db, path, { ...FAST, idleMs: 20 });
      const insert = db.prepare("INSERT INTO t (id, data) VALUES (?, ?)");
      await gc.run(() => insert.run(1, Buffer.alloc(16)));
      const deadline = Date.now() + 10_000;
      while (!gc.checkpointingOffThread && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.ok(gc.checkpointingOffThread);
      while (gc.checkpointingOffThread && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.equal(gc.checkpointingOffThread, false);
      assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 10_000);
      // Writes go on, and the thread comes back with them.
      await gc.run(() => insert.run(2, Buffer.alloc(16)));
      while (!gc.checkpointingOffThread && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.ok(gc.checkpointingOffThread);
      await gc.close();
      db.close();
    });

    it("starts no thread for a store written now and then", async () => {
      const path = join(dir, "seldom.db");
      const db = openTable(path);
      // A window of 0 ms: two commits never count together, as commits far apart would not.
      const gc = new GroupCommit(db, path, { ...FAST, startAfterCommits: 2, startWindowMs: 0 });
      const insert = db.prepare("INSERT INTO t (id, data) VALUES (?, ?)");
      for (let id = 0; id < 20; id++) {
        await gc.run(() => insert.run(id, Buffer.alloc(16)));
        assert.equal(gc.checkpointThreadStarted, false);
      }
      assert.equal(db.pragma("wal_autocheckpoint", { simple: true }), 10_000);
      await gc.close();
      db.close();
    });

    it("releases the page cache once writes stop, and only once per quiet spell", async () => {
      const path = join(dir, "cache.db");
      const db = openTable(path);
      const gc = new GroupCommit(db, path, { startAfterCommits: 1_000_000, cacheIdleMs: 20 });
      const insert = db.prepare("INSERT INTO t (id, data) VALUES (?, ?)");
      const waitReleases = async (n: number): Promise<void> => {
        const deadline = Date.now() + 10_000;
        while (gc.cacheReleases < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        assert.equal(gc.cacheReleases, n);
      };
      assert.equal(gc.cacheReleases, 0, "nothing to release before a commit");
      await Promise.all(Array.from({ length: 200 }, (_, id) => gc.run(() => insert.run(id, Buffer.alloc(PAGE, id % 251)))));
      await waitReleases(1);
      // Reads after the release find every row (the pages come back from the file).
      const rows = db.prepare<[number], { data: Buffer }>("SELECT data FROM t WHERE id = ?");
      for (let id = 0; id < 200; id++) assert.ok(rows.get(id)?.data.equals(Buffer.alloc(PAGE, id % 251)), `row ${id}`);
      // No commit since: no second release, however long the store stays quiet.
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(gc.cacheReleases, 1);
      await gc.run(() => insert.run(200, Buffer.alloc(PAGE)));
      await waitReleases(2);
      await gc.close();
      db.close();
    });

    it("undoes a write that throws alone: the rest of its batch commits, each answered with its own result", async () => {
      const path = join(dir, "failing.db");
      const db = openTable(path);
      const gc = new GroupCommit(db, path, { startAfterCommits: 1_000_000 });
      const insert = db.prepare("INSERT INTO t (id, data) VALUES (?, ?)");
      const boom = new Error("boom");
      const runs = new Map<number, number>();
      const write = (id: number, fails: boolean): Promise<number> =>
        gc.run(() => {
          runs.set(id, (runs.get(id) ?? 0) + 1);
          insert.run(id, Buffer.alloc(16, id));
          if (fails) throw boom;
          return id * 10;
        });
      // One batch (queued in the same turn) with failures first, in the middle and last.
      const plan = [true, false, false, true, false, true];
      const settled = await Promise.allSettled(plan.map((fails, id) => write(id, fails)));
      plan.forEach((fails, id) => {
        const s = settled[id]!;
        if (fails) assert.deepEqual(s, { status: "rejected", reason: boom });
        else assert.deepEqual(s, { status: "fulfilled", value: id * 10 });
      });
      const ids = db.prepare<[], { id: number }>("SELECT id FROM t ORDER BY id").all().map((r) => r.id);
      assert.deepEqual(ids, [1, 2, 4]);
      // The batch ran bare, was rolled back at its first failure and ran again with savepoints.
      assert.equal(runs.get(0), 2);
      assert.equal(runs.get(5), 1);
      // A batch without a failure runs each write once.
      runs.clear();
      assert.deepEqual(await Promise.all([write(6, false), write(7, false)]), [60, 70]);
      assert.deepEqual([...runs.values()], [1, 1]);
      assert.equal(db.inTransaction, false);
      await gc.close();
      db.close();
    });

    it("rejects a write whose work returns a promise, and commits the others", async () => {
      const path = join(dir, "promise.db");
      const db = openTable(path);
      const gc = new GroupCommit(db, path, { startAfterCommits: 1_000_000 });
      const insert = db.prepare("INSERT INTO t (id, data) VALUES (?, ?)");
      const [a, b] = await Promise.allSettled([gc.run(() => insert.run(1, Buffer.alloc(1))), gc.run(async () => insert.run(2, Buffer.alloc(1)))]);
      assert.equal(a?.status, "fulfilled");
      assert.ok(b?.status === "rejected" && b.reason instanceof TypeError);
      assert.deepEqual(db.prepare("SELECT id FROM t").all(), [{ id: 1 }]);
      await gc.close();
      db.close();
    });

    it("loses no acknowledged write to a kill -9 during writes and checkpoints", async () => {
      const path = join(dir, "crash.db");
      openTable(path).close();
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url), CHILD_FLAG, path], { stdio: ["ignore", "pipe", "inherit"] });
      const acked: number[] = [];
      let text = "";
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          text += chunk.toString("latin1");
          const lines = text.split("\n");
          text = lines.pop()!;
          for (const l of lines) acked.push(Number(l));
          // Enough writes for several WAL restarts (64 frames each) before the kill.
          if (acked.length >= 3000 && child.exitCode === null && !child.killed) {
            child.kill("SIGKILL");
            resolve();
          }
        });
        child.once("exit", (code) => reject(new Error(`child exited early (${code})`)));
      });
      await exited;
      const db = openTable(path);
      assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
      const rows = db.prepare<[number], { data: Buffer }>("SELECT data FROM t WHERE id = ?");
      for (const id of acked) {
        const row = rows.get(id);
        assert.ok(row !== undefined, `acknowledged row ${id} is missing`);
        assert.ok(row.data.equals(Buffer.alloc(PAGE, id % 251)), `row ${id} is torn`);
      }
      db.close();
    });
  });
}
