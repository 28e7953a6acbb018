import { catalogIdOf, compact, glueName, mapStoreError, requireDatabase, toDocument, type GlueContext } from "../catalog.js";
import type { Database, UpdateDatabaseRequest, UpdateDatabaseResponse } from "../shapes/types.js";

/** Replaces a database's definition (keeping its creation time); a different DatabaseInput.Name renames it. */
export async function updateDatabase(input: UpdateDatabaseRequest, ctx: GlueContext): Promise<UpdateDatabaseResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const name = glueName(input.Name);
  const current = requireDatabase(ctx, catalogId, name);
  const d = input.DatabaseInput;
  const newName = glueName(d.Name);
  const database = compact<Database>({
    Name: newName,
    Description: d.Description,
    LocationUri: d.LocationUri,
    Parameters: d.Parameters ?? {},
    CreateTime: current.CreateTime,
    CreateTableDefaultPermissions: d.CreateTableDefaultPermissions ?? current.CreateTableDefaultPermissions,
    TargetDatabase: d.TargetDatabase,
    CatalogId: catalogId,
    FederatedDatabase: d.FederatedDatabase,
  });
  try {
    ctx.store.updateDatabase(catalogId, name, newName, toDocument(database));
  } catch (err) {
    mapStoreError(err);
  }
  return {};
}
