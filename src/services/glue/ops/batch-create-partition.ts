import { catalogIdOf, glueName, mapStoreError, requireTable, toDocument, type GlueContext } from "../catalog.js";
import { GlueError } from "../errors.js";
import type { BatchCreatePartitionRequest, BatchCreatePartitionResponse, PartitionError } from "../shapes/types.js";
import { checkPartitionValues, partitionFromInput } from "./partition-record.js";

/** Creates up to 100 partitions in one transaction; the ones refused are listed in Errors. */
export async function batchCreatePartition(input: BatchCreatePartitionRequest, ctx: GlueContext): Promise<BatchCreatePartitionResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const database = glueName(input.DatabaseName);
  const table = requireTable(ctx, catalogId, database, glueName(input.TableName));
  const now = new Date(ctx.clock.now());
  const Errors: PartitionError[] = [];
  const accepted: { values: readonly string[]; document: ReturnType<typeof toDocument> }[] = [];
  for (const p of input.PartitionInputList) {
    try {
      const values = checkPartitionValues(p.Values, table);
      accepted.push({ values, document: toDocument(partitionFromInput(p, values, table, catalogId, now)) });
    } catch (err) {
      if (!(err instanceof GlueError)) throw err;
      Errors.push({ PartitionValues: p.Values ?? [], ErrorDetail: { ErrorCode: err.code, ErrorMessage: err.message } });
    }
  }
  let results: ("created" | "exists")[] = [];
  try {
    results = ctx.store.createPartitions(catalogId, database, table.Name, accepted);
  } catch (err) {
    mapStoreError(err);
  }
  results.forEach((r, i) => {
    if (r === "exists") Errors.push({ PartitionValues: [...accepted[i]!.values], ErrorDetail: { ErrorCode: "AlreadyExistsException", ErrorMessage: "Partition already exists." } });
  });
  return Errors.length === 0 ? {} : { Errors };
}
