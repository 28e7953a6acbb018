import { openDatabase, type SqliteDatabase } from "../sqlite/database.js";
import {
  CatalogConflictError,
  CatalogNotFoundError,
  partitionKey,
  type CatalogDocument,
  type CatalogEntry,
  type CatalogStore,
  type ListOptions,
} from "./catalog-store.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS catalog_databases (
  catalog_id TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (catalog_id, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS catalog_tables (
  catalog_id TEXT NOT NULL, database_name TEXT NOT NULL, name TEXT NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (catalog_id, database_name, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS catalog_partitions (
  catalog_id TEXT NOT NULL, database_name TEXT NOT NULL, table_name TEXT NOT NULL, key TEXT NOT NULL, doc TEXT NOT NULL,
  PRIMARY KEY (catalog_id, database_name, table_name, key)
) WITHOUT ROWID;
`;

type DocRow = { doc: string };
type EntryRow = { name: string; doc: string };

function parse(doc: string): CatalogDocument {
  return JSON.parse(doc) as CatalogDocument;
}

function entries(rows: EntryRow[]): CatalogEntry[] {
  return rows.map((r) => ({ name: r.name, document: parse(r.doc) }));
}

/**
 * The catalog in SQLite: one row per database, table and partition with its JSON document.
 * Text keys compare with SQLite's BINARY collation, i.e. UTF-8 byte order.
 */
export function createSqliteCatalogStore(path: string): CatalogStore {
  const db: SqliteDatabase = openDatabase(path);
  db.exec(SCHEMA);
  const q = {
    insertDb: db.prepare("INSERT INTO catalog_databases (catalog_id, name, doc) VALUES (?, ?, ?)"),
    getDb: db.prepare<[string, string], DocRow>("SELECT doc FROM catalog_databases WHERE catalog_id = ? AND name = ?"),
    listDbs: db.prepare<[string, string, number], EntryRow>(
      "SELECT name, doc FROM catalog_databases WHERE catalog_id = ? AND name > ? ORDER BY name LIMIT ?",
    ),
    setDb: db.prepare("UPDATE catalog_databases SET name = ?, doc = ? WHERE catalog_id = ? AND name = ?"),
    delDb: db.prepare("DELETE FROM catalog_databases WHERE catalog_id = ? AND name = ?"),
    moveTables: db.prepare("UPDATE catalog_tables SET database_name = ? WHERE catalog_id = ? AND database_name = ?"),
    movePartitions: db.prepare("UPDATE catalog_partitions SET database_name = ? WHERE catalog_id = ? AND database_name = ?"),
    delDbTables: db.prepare("DELETE FROM catalog_tables WHERE catalog_id = ? AND database_name = ?"),
    delDbPartitions: db.prepare("DELETE FROM catalog_partitions WHERE catalog_id = ? AND database_name = ?"),
    insertTable: db.prepare("INSERT INTO catalog_tables (catalog_id, database_name, name, doc) VALUES (?, ?, ?, ?)"),
    getTable: db.prepare<[string, string, string], DocRow>("SELECT doc FROM catalog_tables WHERE catalog_id = ? AND database_name = ? AND name = ?"),
    listTables: db.prepare<[string, string, string, number], EntryRow>(
      "SELECT name, doc FROM catalog_tables WHERE catalog_id = ? AND database_name = ? AND name > ? ORDER BY name LIMIT ?",
    ),
    setTable: db.prepare("UPDATE catalog_tables SET doc = ? WHERE catalog_id = ? AND database_name = ? AND name = ?"),
    delTable: db.prepare("DELETE FROM catalog_tables WHERE catalog_id = ? AND database_name = ? AND name = ?"),
    delTablePartitions: db.prepare("DELETE FROM catalog_partitions WHERE catalog_id = ? AND database_name = ? AND table_name = ?"),
    insertPartition: db.prepare(
      "INSERT INTO catalog_partitions (catalog_id, database_name, table_name, key, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    getPartition: db.prepare<[string, string, string, string], DocRow>(
      "SELECT doc FROM catalog_partitions WHERE catalog_id = ? AND database_name = ? AND table_name = ? AND key = ?",
    ),
    listPartitions: db.prepare<[string, string, string, string, number], EntryRow>(
      "SELECT key AS name, doc FROM catalog_partitions WHERE catalog_id = ? AND database_name = ? AND table_name = ? AND key > ? ORDER BY key LIMIT ?",
    ),
    delPartition: db.prepare("DELETE FROM catalog_partitions WHERE catalog_id = ? AND database_name = ? AND table_name = ? AND key = ?"),
  };

  const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY";

  const updateDatabase = db.transaction((catalogId: string, name: string, newName: string, doc: string) => {
    if (q.getDb.get(catalogId, name) === undefined) throw new CatalogNotFoundError("database", name);
    if (newName !== name) {
      if (q.getDb.get(catalogId, newName) !== undefined) throw new CatalogConflictError("database", newName);
      q.moveTables.run(newName, catalogId, name);
      q.movePartitions.run(newName, catalogId, name);
    }
    q.setDb.run(newName, doc, catalogId, name);
  });
  const deleteDatabase = db.transaction((catalogId: string, name: string): boolean => {
    q.delDbPartitions.run(catalogId, name);
    q.delDbTables.run(catalogId, name);
    return q.delDb.run(catalogId, name).changes > 0;
  });
  const createTable = db.transaction((catalogId: string, database: string, name: string, doc: string) => {
    if (q.getDb.get(catalogId, database) === undefined) throw new CatalogNotFoundError("database", database);
    try {
      q.insertTable.run(catalogId, database, name, doc);
    } catch (err) {
      if (isUniqueViolation(err)) throw new CatalogConflictError("table", name);
      throw err;
    }
  });
  const deleteTable = db.transaction((catalogId: string, database: string, name: string): boolean => {
    q.delTablePartitions.run(catalogId, database, name);
    return q.delTable.run(catalogId, database, name).changes > 0;
  });
  const createPartitions = db.transaction(
    (catalogId: string, database: string, table: string, parts: readonly { values: readonly string[]; document: CatalogDocument }[]) => {
      if (q.getTable.get(catalogId, database, table) === undefined) throw new CatalogNotFoundError("table", table);
      return parts.map((p) =>
        q.insertPartition.run(catalogId, database, table, partitionKey(p.values), JSON.stringify(p.document)).changes > 0 ? "created" : "exists",
      );
    },
  );

  return {
    createDatabase(catalogId, name, document) {
      try {
        q.insertDb.run(catalogId, name, JSON.stringify(document));
      } catch (err) {
        if (isUniqueViolation(err)) throw new CatalogConflictError("database", name);
        throw err;
      }
    },
    getDatabase(catalogId, name) {
      const row = q.getDb.get(catalogId, name);
      return row === undefined ? undefined : parse(row.doc);
    },
    listDatabases(catalogId, options: ListOptions) {
      return entries(q.listDbs.all(catalogId, options.after ?? "", options.limit));
    },
    updateDatabase(catalogId, name, newName, document) {
      updateDatabase(catalogId, name, newName, JSON.stringify(document));
    },
    deleteDatabase(catalogId, name) {
      return deleteDatabase(catalogId, name);
    },
    createTable(catalogId, database, name, document) {
      createTable(catalogId, database, name, JSON.stringify(document));
    },
    getTable(catalogId, database, name) {
      const row = q.getTable.get(catalogId, database, name);
      return row === undefined ? undefined : parse(row.doc);
    },
    listTables(catalogId, database, options) {
      return entries(q.listTables.all(catalogId, database, options.after ?? "", options.limit));
    },
    updateTable(catalogId, database, name, document) {
      if (q.setTable.run(JSON.stringify(document), catalogId, database, name).changes === 0) throw new CatalogNotFoundError("table", name);
    },
    deleteTable(catalogId, database, name) {
      return deleteTable(catalogId, database, name);
    },
    createPartitions(catalogId, database, table, partitions) {
      return createPartitions(catalogId, database, table, partitions);
    },
    getPartition(catalogId, database, table, values) {
      const row = q.getPartition.get(catalogId, database, table, partitionKey(values));
      return row === undefined ? undefined : parse(row.doc);
    },
    listPartitions(catalogId, database, table, options) {
      return entries(q.listPartitions.all(catalogId, database, table, options.after ?? "", options.limit));
    },
    deletePartition(catalogId, database, table, values) {
      return q.delPartition.run(catalogId, database, table, partitionKey(values)).changes > 0;
    },
    close() {
      db.close();
    },
  };
}
