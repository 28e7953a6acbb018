import { createHash } from "node:crypto";
import { catalogIdOf, decodeToken, encodeToken, glueName, readPartition, requireTable, type GlueContext } from "../catalog.js";
import { GlueError } from "../errors.js";
import { compilePartitionFilter, PartitionExpressionError } from "../partition-expression.js";
import type { GetPartitionsRequest, GetPartitionsResponse, Partition } from "../shapes/types.js";

/** Page size when the caller gives no MaxResults (the model's maximum). */
const DEFAULT_PAGE = 1000;
const SCAN_BATCH = 500;

/** Which of `total` segments a partition falls in (stable across calls, so parallel readers split the table). */
function segmentOf(key: string, total: number): number {
  return createHash("sha256").update(key).digest().readUInt32BE(0) % total;
}

export async function getPartitions(input: GetPartitionsRequest, ctx: GlueContext): Promise<GetPartitionsResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const database = glueName(input.DatabaseName);
  const table = requireTable(ctx, catalogId, database, glueName(input.TableName));
  let filter: (values: readonly string[]) => boolean = () => true;
  if (input.Expression !== undefined && input.Expression.trim() !== "") {
    try {
      filter = compilePartitionFilter(input.Expression, (table.PartitionKeys ?? []).map((k) => ({ name: k.Name, type: k.Type ?? "string" })));
    } catch (err) {
      if (err instanceof PartitionExpressionError) throw new GlueError("InvalidInputException", err.message);
      throw err;
    }
  }
  const segment = input.Segment;
  if (segment !== undefined && segment.SegmentNumber >= segment.TotalSegments) {
    throw new GlueError("InvalidInputException", "The segment number must be less than the total number of segments.");
  }
  const limit = input.MaxResults ?? DEFAULT_PAGE;
  const Partitions: Partition[] = [];
  let lastKey: string | undefined;
  let after = decodeToken(input.NextToken);
  for (;;) {
    const rows = ctx.store.listPartitions(catalogId, database, table.Name, { ...(after === undefined ? {} : { after }), limit: SCAN_BATCH });
    for (const row of rows) {
      if (segment !== undefined && segmentOf(row.name, segment.TotalSegments) !== segment.SegmentNumber) continue;
      const p = readPartition(row.document, catalogId, database, table.Name);
      if (!filter(p.Values ?? [])) continue;
      if (Partitions.length === limit) return { Partitions, NextToken: encodeToken(lastKey!) };
      if (input.ExcludeColumnSchema === true && p.StorageDescriptor !== undefined) {
        const { Columns: _omitted, ...rest } = p.StorageDescriptor;
        Partitions.push({ ...p, StorageDescriptor: rest });
      } else Partitions.push(p);
      lastKey = row.name;
    }
    if (rows.length < SCAN_BATCH) return { Partitions };
    after = rows[rows.length - 1]!.name;
  }
}
