import { catalogIdOf, glueName, mapStoreError, requireTable, toDocument, type GlueContext } from "../catalog.js";
import { GlueError } from "../errors.js";
import type { CreatePartitionRequest, CreatePartitionResponse } from "../shapes/types.js";
import { checkPartitionValues, partitionFromInput } from "./partition-record.js";

export async function createPartition(input: CreatePartitionRequest, ctx: GlueContext): Promise<CreatePartitionResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const database = glueName(input.DatabaseName);
  const table = requireTable(ctx, catalogId, database, glueName(input.TableName));
  const values = checkPartitionValues(input.PartitionInput.Values, table);
  const partition = partitionFromInput(input.PartitionInput, values, table, catalogId, new Date(ctx.clock.now()));
  let result: ("created" | "exists")[] = [];
  try {
    result = ctx.store.createPartitions(catalogId, database, table.Name, [{ values, document: toDocument(partition) }]);
  } catch (err) {
    mapStoreError(err);
  }
  if (result[0] === "exists") throw new GlueError("AlreadyExistsException", "Partition already exists.");
  return {};
}
