import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** The subset of better-sqlite3 we rely on, so another driver could stand in. */
export type SqliteDatabase = Database.Database;

/**
 * Opens a SQLite database tuned for durable metadata: WAL journal, synchronous=FULL (every commit
 * fsyncs the WAL, so an acknowledged write survives power loss), foreign keys on.
 */
export function openDatabase(path: string): SqliteDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  db.pragma("wal_autocheckpoint = 10000");
  return db;
}
