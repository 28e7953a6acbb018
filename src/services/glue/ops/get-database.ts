import { catalogIdOf, glueName, requireDatabase, type GlueContext } from "../catalog.js";
import type { GetDatabaseRequest, GetDatabaseResponse } from "../shapes/types.js";

export async function getDatabase(input: GetDatabaseRequest, ctx: GlueContext): Promise<GetDatabaseResponse> {
  return { Database: requireDatabase(ctx, catalogIdOf(input, ctx), glueName(input.Name)) };
}
