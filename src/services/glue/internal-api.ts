import type { Table } from "./shapes/types.js";

/**
 * A Glue table as the catalog holds it: exactly what GetTable returns (Name, DatabaseName,
 * StorageDescriptor.Columns with Hive type strings, PartitionKeys, Parameters, SerdeInfo, ...),
 * timestamps as Dates. Parse column types with `parseHiveType` from ./hive-types.ts.
 */
export type TableDefinition = Table;

/**
 * What the Glue service offers other services in the same process (Firehose's format
 * conversion reads its schema table here). Handed over by src/server/services.ts, never imported
 * by another service's code directly, so each can later move to its own node.
 */
export interface GlueInternalApi {
  /**
   * The table `table` in database `database` of the catalog of account `accountId` (Glue's
   * CatalogId), or undefined when the database or the table does not exist. Names are folded to
   * lower case first, as Glue does. Reads the catalog's current version on every call.
   */
  getTable(accountId: string, database: string, table: string): TableDefinition | undefined;
}
