import { catalogIdOf, glueName, requireDatabase, type GlueContext } from "../catalog.js";
import { tableNotFound } from "../errors.js";
import type { DeleteTableRequest, DeleteTableResponse } from "../shapes/types.js";

/** Deletes a table and its partitions. */
export async function deleteTable(input: DeleteTableRequest, ctx: GlueContext): Promise<DeleteTableResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const database = glueName(input.DatabaseName);
  requireDatabase(ctx, catalogId, database);
  const name = glueName(input.Name);
  if (!ctx.store.deleteTable(catalogId, database, name)) throw tableNotFound(name);
  return {};
}
