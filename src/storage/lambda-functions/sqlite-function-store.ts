import { openDatabase } from "../sqlite/database.js";
import { FunctionConflictError, type FunctionDocument, type FunctionStore, type StoredFunction } from "./function-store.js";

type Row = { account_id: string; name: string; doc: string };

function toFunction(r: Row): StoredFunction {
  return { accountId: r.account_id, name: r.name, document: JSON.parse(r.doc) as FunctionDocument };
}

/** Functions in SQLite, one row each. */
export function createSqliteFunctionStore(path: string): FunctionStore {
  const db = openDatabase(path);
  db.exec(`CREATE TABLE IF NOT EXISTS lambda_functions (
    account_id TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (account_id, name)
  ) WITHOUT ROWID`);
  const q = {
    insert: db.prepare("INSERT INTO lambda_functions (account_id, name, doc) VALUES (?, ?, ?)"),
    get: db.prepare<[string, string], Row>("SELECT account_id, name, doc FROM lambda_functions WHERE account_id = ? AND name = ?"),
    list: db.prepare<[string, string, number], Row>("SELECT account_id, name, doc FROM lambda_functions WHERE account_id = ? AND name > ? ORDER BY name LIMIT ?"),
    all: db.prepare<[], Row>("SELECT account_id, name, doc FROM lambda_functions ORDER BY account_id, name"),
    update: db.prepare("UPDATE lambda_functions SET doc = ? WHERE account_id = ? AND name = ?"),
    delete: db.prepare("DELETE FROM lambda_functions WHERE account_id = ? AND name = ?"),
  };
  return {
    create(fn) {
      try {
        q.insert.run(fn.accountId, fn.name, JSON.stringify(fn.document));
      } catch (err) {
        if ((err as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw new FunctionConflictError(fn.name);
        throw err;
      }
    },
    get(accountId, name) {
      const row = q.get.get(accountId, name);
      return row === undefined ? undefined : toFunction(row);
    },
    list(accountId, options) {
      return q.list.all(accountId, options.after ?? "", options.limit).map(toFunction);
    },
    all() {
      return q.all.all().map(toFunction);
    },
    update(accountId, name, document) {
      return q.update.run(JSON.stringify(document), accountId, name).changes > 0;
    },
    delete(accountId, name) {
      return q.delete.run(accountId, name).changes > 0;
    },
    close() {
      db.close();
    },
  };
}
