export { compact } from "../../protocols/json/compact.js";
import { parseShape } from "../../protocols/json/parse-shape.js";
import { toJsonValue } from "../../protocols/json/serialize.js";
import { CatalogConflictError, CatalogNotFoundError, type CatalogDocument, type CatalogStore } from "../../storage/catalog/catalog-store.js";
import type { Clock } from "../../util/clock.js";
import { databaseNotFound, GlueError, tableNotFound } from "./errors.js";
import { shapes } from "./shapes/model.js";
import type { Database, Partition, Table } from "./shapes/types.js";

/** What a Glue operation gets besides its input. */
export interface GlueContext {
  readonly store: CatalogStore;
  readonly clock: Clock;
  /** The caller's account: the default CatalogId. */
  readonly accountId: string;
  /** The caller's ARN, recorded as a table's CreatedBy. */
  readonly principalArn: string;
}

const storedForm = { shapes, error: (m: string) => new Error(`corrupt catalog document: ${m}`) };

/** Glue folds database and table names to lower case, for Hive compatibility (DatabaseInput/TableInput docs). */
export function glueName(name: string): string {
  return name.toLowerCase();
}

/** The catalog a request addresses: its CatalogId, or the caller's account. */
export function catalogIdOf(input: { CatalogId?: string }, ctx: GlueContext): string {
  return input.CatalogId ?? ctx.accountId;
}

/** A typed shape -> the JSON document stored (timestamps as epoch seconds, like the wire). */
export function toDocument(value: object): CatalogDocument {
  return toJsonValue(value) as CatalogDocument;
}

export function readDatabase(doc: CatalogDocument): Database {
  return parseShape(doc, "Database", storedForm) as unknown as Database;
}

/** A stored table; its DatabaseName and CatalogId come from where it is stored (a database rename moves it). */
export function readTable(doc: CatalogDocument, catalogId: string, database: string): Table {
  return { ...(parseShape(doc, "Table", storedForm) as unknown as Table), DatabaseName: database, CatalogId: catalogId };
}

/** A stored partition, with its location filled in as for tables. */
export function readPartition(doc: CatalogDocument, catalogId: string, database: string, table: string): Partition {
  return { ...(parseShape(doc, "Partition", storedForm) as unknown as Partition), DatabaseName: database, TableName: table, CatalogId: catalogId };
}

/** The database or EntityNotFoundException. */
export function requireDatabase(ctx: GlueContext, catalogId: string, name: string): Database {
  const doc = ctx.store.getDatabase(catalogId, name);
  if (doc === undefined) throw databaseNotFound(name);
  return readDatabase(doc);
}

/** The table (its database first) or EntityNotFoundException. */
export function requireTable(ctx: GlueContext, catalogId: string, database: string, name: string): Table {
  requireDatabase(ctx, catalogId, database);
  const doc = ctx.store.getTable(catalogId, database, name);
  if (doc === undefined) throw tableNotFound(name);
  return readTable(doc, catalogId, database);
}

/** Maps the store's domain errors to Glue's wire errors. */
export function mapStoreError(err: unknown): never {
  if (err instanceof CatalogConflictError) {
    const noun = err.kind === "database" ? "Database" : err.kind === "table" ? "Table" : "Partition";
    throw new GlueError("AlreadyExistsException", `${noun} already exists.`);
  }
  if (err instanceof CatalogNotFoundError) {
    if (err.kind === "database") throw databaseNotFound(err.key);
    if (err.kind === "table") throw tableNotFound(err.key);
    throw new GlueError("EntityNotFoundException", "Cannot find partition.");
  }
  throw err;
}

interface PageToken {
  readonly after: string;
}

/** NextToken for a listing that stopped after `after`. */
export function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ after } satisfies PageToken), "utf8").toString("base64url");
}

/** The key a NextToken resumes after; InvalidInputException for a token we did not issue. */
export function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined || token === "") return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<PageToken>;
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // fall through
  }
  throw new GlueError("InvalidInputException", "Invalid pagination token.");
}

