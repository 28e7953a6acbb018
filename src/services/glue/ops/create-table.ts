import { catalogIdOf, glueName, mapStoreError, requireDatabase, toDocument, type GlueContext } from "../catalog.js";
import { GlueError } from "../errors.js";
import type { CreateTableRequest, CreateTableResponse } from "../shapes/types.js";
import { tableFromInput } from "./table-record.js";

export async function createTable(input: CreateTableRequest, ctx: GlueContext): Promise<CreateTableResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const database = glueName(input.DatabaseName);
  if (input.TableInput === undefined) {
    if (input.OpenTableFormatInput !== undefined) throw new GlueError("InvalidInputException", "OpenTableFormatInput (Iceberg tables) is not supported by this server.");
    throw new GlueError("InvalidInputException", "TableInput is required.");
  }
  requireDatabase(ctx, catalogId, database);
  const now = new Date(ctx.clock.now());
  const table = tableFromInput(input.TableInput, { catalogId, database }, { createTime: now, updateTime: now, createdBy: ctx.principalArn, versionId: "0" });
  try {
    ctx.store.createTable(catalogId, database, table.Name, toDocument(table));
  } catch (err) {
    mapStoreError(err);
  }
  return {};
}
