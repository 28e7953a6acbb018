import { catalogIdOf, glueName, readPartition, requireTable, type GlueContext } from "../catalog.js";
import { GlueError } from "../errors.js";
import type { GetPartitionRequest, GetPartitionResponse } from "../shapes/types.js";

export async function getPartition(input: GetPartitionRequest, ctx: GlueContext): Promise<GetPartitionResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const database = glueName(input.DatabaseName);
  const table = requireTable(ctx, catalogId, database, glueName(input.TableName));
  const doc = ctx.store.getPartition(catalogId, database, table.Name, input.PartitionValues);
  if (doc === undefined) throw new GlueError("EntityNotFoundException", "Cannot find partition.");
  return { Partition: readPartition(doc, catalogId, database, table.Name) };
}
