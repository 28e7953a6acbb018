import { catalogIdOf, glueName, requireTable, toDocument, type GlueContext } from "../catalog.js";
import { GlueError } from "../errors.js";
import type { UpdateTableRequest, UpdateTableResponse } from "../shapes/types.js";
import { tableFromInput } from "./table-record.js";

/**
 * Replaces a table's definition with TableInput (Glue does not merge), keeping its creation time
 * and creator and moving its VersionId on by one. A VersionId in the request must be the current one.
 */
export async function updateTable(input: UpdateTableRequest, ctx: GlueContext): Promise<UpdateTableResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const database = glueName(input.DatabaseName);
  if (input.TableInput === undefined) {
    if (input.UpdateOpenTableFormatInput !== undefined) throw new GlueError("InvalidInputException", "UpdateOpenTableFormatInput (Iceberg tables) is not supported by this server.");
    throw new GlueError("InvalidInputException", "TableInput is required.");
  }
  const name = glueName(input.TableInput.Name);
  if (input.Name !== undefined && glueName(input.Name) !== name) throw new GlueError("InvalidInputException", "Name and TableInput.Name must be the same.");
  const current = requireTable(ctx, catalogId, database, name);
  const currentVersion = Number(current.VersionId ?? "0");
  if (input.VersionId !== undefined && input.VersionId !== String(currentVersion)) {
    throw new GlueError("ConcurrentModificationException", `Update table failed due to concurrent modifications: version ${input.VersionId} is not the current version ${currentVersion}.`);
  }
  const table = tableFromInput(
    input.TableInput,
    { catalogId, database },
    {
      createTime: current.CreateTime ?? new Date(ctx.clock.now()),
      updateTime: new Date(ctx.clock.now()),
      createdBy: current.CreatedBy,
      versionId: String(currentVersion + 1),
    },
  );
  ctx.store.updateTable(catalogId, database, name, toDocument(table));
  return {};
}
