import { openSync, closeSync, fdatasync } from "node:fs";
import type { Statement } from "better-sqlite3";
import type { SqliteDatabase } from "./database.js";
import { IdleRelease } from "../../util/idle-release.js";
import { WalCheckpointer, type CheckpointOptions } from "./wal-checkpointer.js";

/** Tuning of a GroupCommit: its checkpoint thread's, and when the page cache is let go. */
export interface GroupCommitOptions extends CheckpointOptions {
  /**
   * After this long without a commit, the connection's page cache is released (PRAGMA
   * shrink_memory). SQLite keeps up to cache_size of pages (16 MB in better-sqlite3's build) for
   * the connection's life: after a burst of writes that is ~16 MiB of malloc'd pages the server
   * carried into everything it did next. Reads after the release refill only what they touch.
   */
  readonly cacheIdleMs?: number;
}

/**
 * Default of {@link GroupCommitOptions.cacheIdleMs}: longer than the pauses of a steady writer (the
 * bench's 4 KiB PUT rounds come ~7.5 s apart), so a writer that pauses keeps its cache.
 */
const CACHE_IDLE_MS = 15_000;

interface QueuedWrite {
  readonly fn: () => unknown;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: unknown) => void;
}

/** A committed write waiting for the sync that makes it durable. */
interface Committed {
  readonly item: QueuedWrite;
  readonly ok: boolean;
  readonly value: unknown;
}

interface Statements {
  readonly begin: Statement;
  readonly commit: Statement;
  readonly rollback: Statement;
  readonly savepoint: Statement;
  readonly release: Statement;
  readonly rollbackTo: Statement;
}

/**
 * Group commit for SQLite: mutations queued in the same tick run in one transaction; one that
 * throws does not undo the others (the batch is run again with a savepoint per mutation). The database runs with
 * synchronous=NORMAL (commits are written to the WAL without an fsync on the event loop) and the
 * WAL is then fdatasync'ed from the thread pool; every caller is answered only after a sync that
 * began after its commit, so an acknowledged write survives power loss while many writers share
 * one fsync. Each batch starts its own sync at once, without waiting for the syncs under way:
 * this disk serves concurrent flushes about as fast as one, so overlapping them serves more
 * writes per second than making a batch wait for the previous sync (measured: ~10 writes per
 * sync either way, 4-20 ms per sync whether they overlap or not). Checkpoints run on a thread of
 * their own (WalCheckpointer); when the WAL has grown long, a batch waits (the event loop does not)
 * for a complete checkpoint so that the WAL restarts from its start.
 */
export class GroupCommit {
  readonly #db: SqliteDatabase;
  readonly #walPath: string | undefined;
  #walFd: number | undefined;
  #queue: QueuedWrite[] = [];
  #scheduled = false;
  #closed = false;
  /** Syncs under way, and who waits for them all to end (close). */
  #syncing = 0;
  #onSynced: Array<() => void> = [];
  #statements: Statements | undefined;
  readonly #checkpointer: WalCheckpointer | undefined;
  /** A batch waits for a complete checkpoint. */
  #holding = false;
  readonly #cacheRelease: IdleRelease;
  #cacheReleases = 0;

  /** `path` is the database file (":memory:" disables the WAL sync and the checkpoint thread). */
  constructor(db: SqliteDatabase, path: string, options: GroupCommitOptions = {}) {
    this.#db = db;
    this.#walPath = path === ":memory:" ? undefined : `${path}-wal`;
    this.#checkpointer = path === ":memory:" ? undefined : new WalCheckpointer(db, path, options);
    this.#cacheRelease = new IdleRelease(options.cacheIdleMs ?? CACHE_IDLE_MS, () => this.#releaseCache());
    db.pragma("synchronous = NORMAL");
  }

  /** How many times the page cache has been released after a quiet spell (for tests and diagnostics). */
  get cacheReleases(): number {
    return this.#cacheReleases;
  }

  /** Whether a thread runs this database's checkpoints now (for tests and diagnostics). */
  get checkpointingOffThread(): boolean {
    return this.#checkpointer?.active ?? false;
  }

  /** Whether a checkpoint thread has been started and has not ended (for tests and diagnostics). */
  get checkpointThreadStarted(): boolean {
    return this.#checkpointer?.started ?? false;
  }

  /**
   * Runs `fn` inside the next group transaction; resolves with its result once durable. `fn` may
   * run twice: when another write of its batch throws, the batch is rolled back and run again
   * (see #commitBatch), so its effects outside the database must be safe to repeat.
   */
  run<T>(fn: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error("metadata store is closed"));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(this.#flush);
      }
    });
  }

  // Statements prepared once: db.transaction(fn) per flush and per item built wrapper functions.
  #prepared(): Statements {
    return (this.#statements ??= {
      begin: this.#db.prepare("BEGIN"),
      commit: this.#db.prepare("COMMIT"),
      rollback: this.#db.prepare("ROLLBACK"),
      savepoint: this.#db.prepare("SAVEPOINT group_commit_item"),
      release: this.#db.prepare("RELEASE group_commit_item"),
      rollbackTo: this.#db.prepare("ROLLBACK TO group_commit_item"),
    });
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    if (this.#holding || this.#queue.length === 0) return;
    const checkpointer = this.#checkpointer;
    if (checkpointer?.wantsHold() === true) {
      this.#holding = true;
      void checkpointer.checkpointAll().then(() => {
        this.#holding = false;
        this.#flush();
      });
      return;
    }
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    let committed: Committed[];
    try {
      // Most batches have no failing item: run them without a savepoint per item, and only when
      // one throws, roll the batch back and run it again with savepoints (every item once more).
      committed = this.#commitBatch(batch, false) ?? this.#commitBatch(batch, true);
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    checkpointer?.committed();
    this.#cacheRelease.touch();
    this.#syncing++;
    this.#sync((syncErr) => {
      if (--this.#syncing === 0 && this.#onSynced.length > 0) {
        for (const wake of this.#onSynced.splice(0)) wake();
      }
      for (const { item, ok, value } of committed) {
        if (syncErr !== null) item.reject(syncErr);
        else if (ok) item.resolve(value);
        else item.reject(value);
      }
    });
  };

  /**
   * Runs the batch in one transaction and commits it. `isolated`: each item in a savepoint of its
   * own, so a failing item is undone alone and the others commit. Otherwise the items run bare
   * (a savepoint per item made each write ~6 us dearer: the SAVEPOINT and RELEASE statements,
   * and the statement journal that holds the pages an item changes) and the first item that
   * throws rolls the whole batch back: undefined is returned and nothing is committed. Throws
   * (after rolling back) when BEGIN or COMMIT fails.
   */
  #commitBatch(batch: readonly QueuedWrite[], isolated: true): Committed[];
  #commitBatch(batch: readonly QueuedWrite[], isolated: false): Committed[] | undefined;
  #commitBatch(batch: readonly QueuedWrite[], isolated: boolean): Committed[] | undefined {
    const st = this.#prepared();
    const committed: Committed[] = [];
    // As better-sqlite3's db.transaction(fn)(): BEGIN, the work, COMMIT; ROLLBACK if it throws.
    st.begin.run();
    try {
      for (const item of batch) {
        if (isolated) {
          try {
            committed.push({ item, ok: true, value: this.#inSavepoint(item.fn) });
          } catch (err) {
            committed.push({ item, ok: false, value: err });
          }
          continue;
        }
        let value: unknown;
        try {
          value = notPromise(item.fn());
        } catch {
          if (this.#db.inTransaction) st.rollback.run();
          return undefined;
        }
        committed.push({ item, ok: true, value });
      }
      st.commit.run();
      return committed;
    } catch (err) {
      if (this.#db.inTransaction) st.rollback.run();
      throw err;
    }
  }

  /**
   * Runs `fn` in a savepoint, as a nested better-sqlite3 transaction would, but with statements
   * prepared once: wrapping each item with `db.transaction(fn)` built four wrappers per write.
   */
  #inSavepoint(fn: () => unknown): unknown {
    const st = this.#prepared();
    st.savepoint.run();
    try {
      const result = notPromise(fn());
      st.release.run();
      return result;
    } catch (err) {
      if (this.#db.inTransaction) {
        st.rollbackTo.run();
        st.release.run();
      }
      throw err;
    }
  }

  /** Frees the pages no statement holds (sqlite3_db_release_memory); 0 bytes for the GC to find. */
  #releaseCache(): number {
    if (this.#closed || !this.#db.open) return 0;
    this.#db.pragma("shrink_memory");
    this.#cacheReleases++;
    return 0;
  }

  #sync(done: (err: Error | null) => void): void {
    if (this.#walPath === undefined) {
      queueMicrotask(() => done(null));
      return;
    }
    if (this.#walFd === undefined) this.#walFd = openSync(this.#walPath, "r");
    fdatasync(this.#walFd, done);
  }

  /** Waits for queued work and the syncs under way, then stops accepting more. */
  async close(): Promise<void> {
    if (this.#queue.length > 0) await this.run(() => undefined);
    // Let the syncs under way finish before their file is closed.
    if (this.#syncing > 0) await new Promise<void>((r) => this.#onSynced.push(r));
    this.#closed = true;
    await this.#checkpointer?.close();
    if (this.#walFd !== undefined) closeSync(this.#walFd);
    this.#walFd = undefined;
  }
}

/** `result`, unless it is a promise (a write's work must be synchronous, as in better-sqlite3). */
function notPromise(result: unknown): unknown {
  if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
    throw new TypeError("Transaction function cannot return a promise");
  }
  return result;
}
