import { catalogIdOf, glueName, requireTable, type GlueContext } from "../catalog.js";
import { GlueError } from "../errors.js";
import type { DeletePartitionRequest, DeletePartitionResponse } from "../shapes/types.js";

export async function deletePartition(input: DeletePartitionRequest, ctx: GlueContext): Promise<DeletePartitionResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const database = glueName(input.DatabaseName);
  const table = requireTable(ctx, catalogId, database, glueName(input.TableName));
  if (!ctx.store.deletePartition(catalogId, database, table.Name, input.PartitionValues)) {
    throw new GlueError("EntityNotFoundException", "Cannot find partition.");
  }
  return {};
}
