import { catalogIdOf, glueName, type GlueContext } from "../catalog.js";
import { databaseNotFound } from "../errors.js";
import type { DeleteDatabaseRequest, DeleteDatabaseResponse } from "../shapes/types.js";

/** Deletes a database with all its tables and their partitions, as Glue does. */
export async function deleteDatabase(input: DeleteDatabaseRequest, ctx: GlueContext): Promise<DeleteDatabaseResponse> {
  const name = glueName(input.Name);
  if (!ctx.store.deleteDatabase(catalogIdOf(input, ctx), name)) throw databaseNotFound(name);
  return {};
}
