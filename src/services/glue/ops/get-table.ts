import { catalogIdOf, glueName, requireTable, type GlueContext } from "../catalog.js";
import type { GetTableRequest, GetTableResponse } from "../shapes/types.js";

export async function getTable(input: GetTableRequest, ctx: GlueContext): Promise<GetTableResponse> {
  return { Table: requireTable(ctx, catalogIdOf(input, ctx), glueName(input.DatabaseName), glueName(input.Name)) };
}
