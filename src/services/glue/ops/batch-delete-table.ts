import { catalogIdOf, glueName, requireDatabase, type GlueContext } from "../catalog.js";
import type { BatchDeleteTableRequest, BatchDeleteTableResponse, TableError } from "../shapes/types.js";

/** Deletes each named table; the ones missing are reported in Errors, not as a failed call. */
export async function batchDeleteTable(input: BatchDeleteTableRequest, ctx: GlueContext): Promise<BatchDeleteTableResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const database = glueName(input.DatabaseName);
  requireDatabase(ctx, catalogId, database);
  const Errors: TableError[] = [];
  for (const given of input.TablesToDelete) {
    const name = glueName(given);
    if (!ctx.store.deleteTable(catalogId, database, name)) {
      Errors.push({ TableName: given, ErrorDetail: { ErrorCode: "EntityNotFoundException", ErrorMessage: `Table ${name} not found.` } });
    }
  }
  return { Errors };
}
