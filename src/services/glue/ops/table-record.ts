import { compact, glueName } from "../catalog.js";
import type { Table, TableInput } from "../shapes/types.js";

/** The stored table for a TableInput: what Glue fills in besides the caller's fields. */
export function tableFromInput(
  t: TableInput,
  where: { readonly catalogId: string; readonly database: string },
  meta: { readonly createTime: Date; readonly updateTime: Date; readonly createdBy: string | undefined; readonly versionId: string },
): Table {
  return compact<Table>({
    Name: glueName(t.Name),
    DatabaseName: where.database,
    Description: t.Description,
    Owner: t.Owner,
    CreateTime: meta.createTime,
    UpdateTime: meta.updateTime,
    LastAccessTime: t.LastAccessTime,
    LastAnalyzedTime: t.LastAnalyzedTime,
    Retention: t.Retention ?? 0,
    StorageDescriptor: t.StorageDescriptor,
    PartitionKeys: t.PartitionKeys ?? [],
    ViewOriginalText: t.ViewOriginalText,
    ViewExpandedText: t.ViewExpandedText,
    TableType: t.TableType,
    Parameters: t.Parameters ?? {},
    CreatedBy: meta.createdBy,
    IsRegisteredWithLakeFormation: false,
    TargetTable: t.TargetTable,
    CatalogId: where.catalogId,
    VersionId: meta.versionId,
  });
}
