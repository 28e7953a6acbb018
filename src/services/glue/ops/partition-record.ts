import { compact } from "../catalog.js";
import { GlueError } from "../errors.js";
import type { Partition, PartitionInput, Table } from "../shapes/types.js";

/** Glue's refusal of a partition whose values do not line up with the table's partition keys. */
export function checkPartitionValues(values: readonly string[] | undefined, table: Table): readonly string[] {
  const keys = table.PartitionKeys ?? [];
  if (values === undefined || values.length !== keys.length) {
    throw new GlueError("InvalidInputException", "The number of partition keys do not match the number of partition values");
  }
  return values;
}

/** The stored partition for a PartitionInput. */
export function partitionFromInput(p: PartitionInput, values: readonly string[], table: Table, catalogId: string, now: Date): Partition {
  return compact<Partition>({
    Values: [...values],
    DatabaseName: table.DatabaseName,
    TableName: table.Name,
    CreationTime: now,
    LastAccessTime: p.LastAccessTime,
    StorageDescriptor: p.StorageDescriptor,
    Parameters: p.Parameters ?? {},
    LastAnalyzedTime: p.LastAnalyzedTime,
    CatalogId: catalogId,
  });
}
