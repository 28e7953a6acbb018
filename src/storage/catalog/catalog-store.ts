/**
 * Storage of a Glue-style data catalog: databases, their tables, and the tables' partitions, each
 * kept as an opaque JSON document the service defines. Keys are exact strings (the service folds
 * names to lower case before they get here). Listings are ordered by key, in UTF-8 byte order.
 */

/** A JSON object as stored (no Dates, no bytes: the service encodes those). */
export type CatalogDocument = Readonly<Record<string, unknown>>;

/** One stored entry: its key within its parent, and its document. */
export interface CatalogEntry {
  /** Database or table name; for a partition, its values encoded by `partitionKey`. */
  readonly name: string;
  readonly document: CatalogDocument;
}

/** Where a listing starts and how much it returns. */
export interface ListOptions {
  /** Return only entries whose key sorts after this one (exclusive). */
  readonly after?: string;
  /** At most this many entries. */
  readonly limit: number;
}

/** A parent that does not exist (a table's database, a partition's table). */
export class CatalogNotFoundError extends Error {
  override readonly name = "CatalogNotFoundError";
  constructor(
    readonly kind: "database" | "table" | "partition",
    readonly key: string,
  ) {
    super(`${kind} ${key} not found`);
  }
}

/** An entry that already exists under that key. */
export class CatalogConflictError extends Error {
  override readonly name = "CatalogConflictError";
  constructor(
    readonly kind: "database" | "table" | "partition",
    readonly key: string,
  ) {
    super(`${kind} ${key} already exists`);
  }
}

/** The key a partition is stored under: its values, JSON-encoded, so any text is safe. */
export function partitionKey(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** What the Glue service needs from its storage. */
export interface CatalogStore {
  /** Adds a database; CatalogConflictError if the name is taken. */
  createDatabase(catalogId: string, name: string, document: CatalogDocument): void;
  getDatabase(catalogId: string, name: string): CatalogDocument | undefined;
  listDatabases(catalogId: string, options: ListOptions): CatalogEntry[];
  /**
   * Replaces a database's document, renaming it (and moving its tables and partitions) when
   * `newName` differs. CatalogNotFoundError if it is missing, CatalogConflictError if `newName` is taken.
   */
  updateDatabase(catalogId: string, name: string, newName: string, document: CatalogDocument): void;
  /** Removes a database with all its tables and partitions; false if it did not exist. */
  deleteDatabase(catalogId: string, name: string): boolean;

  /** Adds a table; CatalogNotFoundError if the database is missing, CatalogConflictError if the name is taken. */
  createTable(catalogId: string, database: string, name: string, document: CatalogDocument): void;
  getTable(catalogId: string, database: string, name: string): CatalogDocument | undefined;
  listTables(catalogId: string, database: string, options: ListOptions): CatalogEntry[];
  /** Replaces a table's document; CatalogNotFoundError if it is missing. */
  updateTable(catalogId: string, database: string, name: string, document: CatalogDocument): void;
  /** Removes a table with its partitions; false if it did not exist. */
  deleteTable(catalogId: string, database: string, name: string): boolean;

  /**
   * Adds partitions in one transaction; returns, per input, whether it was created or already
   * existed (existing ones are left as they were). CatalogNotFoundError if the table is missing.
   */
  createPartitions(
    catalogId: string,
    database: string,
    table: string,
    partitions: readonly { readonly values: readonly string[]; readonly document: CatalogDocument }[],
  ): ("created" | "exists")[];
  getPartition(catalogId: string, database: string, table: string, values: readonly string[]): CatalogDocument | undefined;
  /** Partitions of a table ordered by `partitionKey`; `after` is such a key. */
  listPartitions(catalogId: string, database: string, table: string, options: ListOptions): CatalogEntry[];
  deletePartition(catalogId: string, database: string, table: string, values: readonly string[]): boolean;

  close(): void;
}
