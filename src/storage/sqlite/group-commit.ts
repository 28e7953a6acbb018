import { openSync, closeSync, fdatasync } from "node:fs";
import type { Statement } from "better-sqlite3";
import type { SqliteDatabase } from "./database.js";

/**
 * Group commit for SQLite: mutations queued in the same tick run in one transaction, each in its
 * own savepoint so one failure does not undo the others. The database runs with
 * synchronous=NORMAL (commits are written to the WAL without an fsync on the event loop) and the
 * WAL is then fdatasync'ed from the thread pool; every caller is answered only after that sync,
 * so an acknowledged write survives power loss while many writers share one fsync.
 */
export class GroupCommit {
  readonly #db: SqliteDatabase;
  readonly #walPath: string | undefined;
  #walFd: number | undefined;
  #queue: Array<{ fn: () => unknown; resolve: (v: unknown) => void; reject: (e: unknown) => void }> = [];
  #scheduled = false;
  #closed = false;
  #savepoint: { begin: Statement; release: Statement; rollbackTo: Statement } | undefined;

  /** `path` is the database file (":memory:" disables the WAL sync). */
  constructor(db: SqliteDatabase, path: string) {
    this.#db = db;
    this.#walPath = path === ":memory:" ? undefined : `${path}-wal`;
    db.pragma("synchronous = NORMAL");
  }

  /** Runs `fn` inside the next group transaction; resolves with its result once durable. */
  run<T>(fn: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error("metadata store is closed"));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    const results: Array<{ ok: boolean; value: unknown }> = [];
    try {
      this.#db.transaction(() => {
        for (const item of batch) {
          try {
            results.push({ ok: true, value: this.#inSavepoint(item.fn) });
          } catch (err) {
            results.push({ ok: false, value: err });
          }
        }
      })();
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    this.#sync((syncErr) => {
      batch.forEach((item, i) => {
        const r = results[i]!;
        if (syncErr !== null) item.reject(syncErr);
        else if (r.ok) item.resolve(r.value);
        else item.reject(r.value);
      });
    });
  }

  /**
   * Runs `fn` in a savepoint, as a nested better-sqlite3 transaction would, but with statements
   * prepared once: wrapping each item with `db.transaction(fn)` built four wrappers per write.
   */
  #inSavepoint(fn: () => unknown): unknown {
    const sp = (this.#savepoint ??= {
      begin: this.#db.prepare("SAVEPOINT group_commit_item"),
      release: this.#db.prepare("RELEASE group_commit_item"),
      rollbackTo: this.#db.prepare("ROLLBACK TO group_commit_item"),
    });
    sp.begin.run();
    try {
      const result = fn();
      if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
        throw new TypeError("Transaction function cannot return a promise");
      }
      sp.release.run();
      return result;
    } catch (err) {
      if (this.#db.inTransaction) {
        sp.rollbackTo.run();
        sp.release.run();
      }
      throw err;
    }
  }

  #sync(done: (err: Error | null) => void): void {
    if (this.#walPath === undefined) {
      queueMicrotask(() => done(null));
      return;
    }
    if (this.#walFd === undefined) this.#walFd = openSync(this.#walPath, "r");
    fdatasync(this.#walFd, done);
  }

  /** Waits for queued work, then stops accepting more. */
  async close(): Promise<void> {
    if (this.#queue.length > 0) await this.run(() => undefined);
    this.#closed = true;
    if (this.#walFd !== undefined) closeSync(this.#walFd);
    this.#walFd = undefined;
  }
}
