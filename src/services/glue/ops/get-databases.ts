import { catalogIdOf, decodeToken, encodeToken, readDatabase, type GlueContext } from "../catalog.js";
import type { Database, GetDatabasesRequest, GetDatabasesResponse } from "../shapes/types.js";

/** Page size when the caller gives no MaxResults (the model's maximum). */
const DEFAULT_PAGE = 100;

export async function getDatabases(input: GetDatabasesRequest, ctx: GlueContext): Promise<GetDatabasesResponse> {
  const limit = input.MaxResults ?? DEFAULT_PAGE;
  const after = decodeToken(input.NextToken);
  const rows = ctx.store.listDatabases(catalogIdOf(input, ctx), { ...(after === undefined ? {} : { after }), limit: limit + 1 });
  const page = rows.slice(0, limit);
  const namesOnly = input.AttributesToGet !== undefined && !input.AttributesToGet.some((a) => a !== "NAME");
  const DatabaseList: Database[] = page.map((r) => (namesOnly ? { Name: r.name } : readDatabase(r.document)));
  return rows.length > limit ? { DatabaseList, NextToken: encodeToken(page[page.length - 1]!.name) } : { DatabaseList };
}
