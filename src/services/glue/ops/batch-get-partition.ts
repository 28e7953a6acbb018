import { catalogIdOf, glueName, readPartition, requireTable, type GlueContext } from "../catalog.js";
import type { BatchGetPartitionRequest, BatchGetPartitionResponse, Partition } from "../shapes/types.js";

/** Returns the partitions that exist among those asked for; missing ones are simply absent (none is left unprocessed). */
export async function batchGetPartition(input: BatchGetPartitionRequest, ctx: GlueContext): Promise<BatchGetPartitionResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const database = glueName(input.DatabaseName);
  const table = requireTable(ctx, catalogId, database, glueName(input.TableName));
  const Partitions: Partition[] = [];
  for (const p of input.PartitionsToGet) {
    const doc = ctx.store.getPartition(catalogId, database, table.Name, p.Values);
    if (doc !== undefined) Partitions.push(readPartition(doc, catalogId, database, table.Name));
  }
  return { Partitions, UnprocessedKeys: [] };
}
