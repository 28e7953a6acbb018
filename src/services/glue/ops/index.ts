import type { GlueContext } from "../catalog.js";
import { batchCreatePartition } from "./batch-create-partition.js";
import { batchDeleteTable } from "./batch-delete-table.js";
import { batchGetPartition } from "./batch-get-partition.js";
import { createDatabase } from "./create-database.js";
import { createPartition } from "./create-partition.js";
import { createTable } from "./create-table.js";
import { deleteDatabase } from "./delete-database.js";
import { deletePartition } from "./delete-partition.js";
import { deleteTable } from "./delete-table.js";
import { getDatabase } from "./get-database.js";
import { getDatabases } from "./get-databases.js";
import { getPartition } from "./get-partition.js";
import { getPartitions } from "./get-partitions.js";
import { getTable } from "./get-table.js";
import { getTables } from "./get-tables.js";
import { updateDatabase } from "./update-database.js";
import { updateTable } from "./update-table.js";

/** An operation: typed input (already validated against the model) -> typed output. */
export type GlueOperation = (input: never, ctx: GlueContext) => Promise<object>;

/** Every implemented Glue operation by its X-Amz-Target name. */
export const glueOperations: Readonly<Record<string, GlueOperation>> = {
  BatchCreatePartition: batchCreatePartition,
  BatchDeleteTable: batchDeleteTable,
  BatchGetPartition: batchGetPartition,
  CreateDatabase: createDatabase,
  CreatePartition: createPartition,
  CreateTable: createTable,
  DeleteDatabase: deleteDatabase,
  DeletePartition: deletePartition,
  DeleteTable: deleteTable,
  GetDatabase: getDatabase,
  GetDatabases: getDatabases,
  GetPartition: getPartition,
  GetPartitions: getPartitions,
  GetTable: getTable,
  GetTables: getTables,
  UpdateDatabase: updateDatabase,
  UpdateTable: updateTable,
};
