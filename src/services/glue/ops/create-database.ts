import { catalogIdOf, compact, glueName, mapStoreError, toDocument, type GlueContext } from "../catalog.js";
import type { CreateDatabaseRequest, CreateDatabaseResponse, Database, PrincipalPermissions } from "../shapes/types.js";

/** New databases grant ALL to IAM_ALLOWED_PRINCIPALS unless told otherwise (Lake Formation's default, as GetDatabase shows it). */
export const DEFAULT_TABLE_PERMISSIONS: PrincipalPermissions[] = [
  { Principal: { DataLakePrincipalIdentifier: "IAM_ALLOWED_PRINCIPALS" }, Permissions: ["ALL"] },
];

export async function createDatabase(input: CreateDatabaseRequest, ctx: GlueContext): Promise<CreateDatabaseResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const d = input.DatabaseInput;
  const name = glueName(d.Name);
  const database = compact<Database>({
    Name: name,
    Description: d.Description,
    LocationUri: d.LocationUri,
    Parameters: d.Parameters ?? {},
    CreateTime: new Date(ctx.clock.now()),
    CreateTableDefaultPermissions: d.CreateTableDefaultPermissions ?? DEFAULT_TABLE_PERMISSIONS,
    TargetDatabase: d.TargetDatabase,
    CatalogId: catalogId,
    FederatedDatabase: d.FederatedDatabase,
  });
  try {
    ctx.store.createDatabase(catalogId, name, toDocument(database));
  } catch (err) {
    mapStoreError(err);
  }
  return {};
}
