import { openDatabase } from "../sqlite/database.js";
import type { AccessKey, IdentityStore } from "./identity-store.js";

interface Row {
  access_key_id: string;
  secret: string;
  account_id: string;
  principal_arn: string;
  status: string;
  created_at: number;
}

const toKey = (r: Row): AccessKey => ({
  accessKeyId: r.access_key_id,
  secretAccessKey: r.secret,
  accountId: r.account_id,
  principalArn: r.principal_arn,
  status: r.status === "Inactive" ? "Inactive" : "Active",
  createdAt: r.created_at,
});

/** Access keys in SQLite, cached in memory (the table is small and read on every request). */
export function createSqliteIdentityStore(path: string): IdentityStore {
  const db = openDatabase(path);
  db.exec(`CREATE TABLE IF NOT EXISTS access_keys (
    access_key_id TEXT PRIMARY KEY,
    secret TEXT NOT NULL,
    account_id TEXT NOT NULL,
    principal_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT`);
  const all = db.prepare<[], Row>("SELECT * FROM access_keys ORDER BY created_at, access_key_id");
  const upsert = db.prepare(
    `INSERT INTO access_keys VALUES (@access_key_id, @secret, @account_id, @principal_arn, @status, @created_at)
     ON CONFLICT(access_key_id) DO UPDATE SET secret=excluded.secret, account_id=excluded.account_id,
       principal_arn=excluded.principal_arn, status=excluded.status`,
  );
  const del = db.prepare("DELETE FROM access_keys WHERE access_key_id = ?");
  const cache = new Map<string, AccessKey>();
  for (const row of all.all()) cache.set(row.access_key_id, toKey(row));
  return {
    getAccessKey: (id) => cache.get(id),
    putAccessKey(key) {
      upsert.run({
        access_key_id: key.accessKeyId,
        secret: key.secretAccessKey,
        account_id: key.accountId,
        principal_arn: key.principalArn,
        status: key.status,
        created_at: key.createdAt,
      });
      cache.set(key.accessKeyId, key);
    },
    deleteAccessKey(id) {
      del.run(id);
      cache.delete(id);
    },
    listAccessKeys: (accountId) => [...cache.values()].filter((k) => k.accountId === accountId).sort((a, b) => a.createdAt - b.createdAt),
    close: () => db.close(),
  };
}
