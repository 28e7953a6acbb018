import { catalogIdOf, decodeToken, encodeToken, glueName, readTable, requireDatabase, type GlueContext } from "../catalog.js";
import { GlueError } from "../errors.js";
import type { GetTablesRequest, GetTablesResponse, Table } from "../shapes/types.js";

/** Page size when the caller gives no MaxResults (the model's maximum). */
const DEFAULT_PAGE = 100;
/** Rows read from the store per step while filtering. */
const SCAN_BATCH = 200;

/**
 * GetTables' Expression as the Hive metastore reads table patterns, which Glue follows: `*` is
 * any run of characters, `|` separates alternatives, matching is whole-name and case-insensitive;
 * the rest is a Java regular expression.
 */
export function tableNameMatcher(expression: string | undefined): (name: string) => boolean {
  if (expression === undefined || expression === "" || expression === "*") return () => true;
  const source = expression
    .split("|")
    .map((alt) => alt.trim().replace(/(?<!\.)\*/g, ".*"))
    .join("|");
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${source})$`, "i");
  } catch {
    throw new GlueError("InvalidInputException", `Invalid table name pattern: ${expression}`);
  }
  return (name) => re.test(name);
}

export async function getTables(input: GetTablesRequest, ctx: GlueContext): Promise<GetTablesResponse> {
  const catalogId = catalogIdOf(input, ctx);
  const database = glueName(input.DatabaseName);
  requireDatabase(ctx, catalogId, database);
  const limit = input.MaxResults ?? DEFAULT_PAGE;
  const matches = tableNameMatcher(input.Expression);
  const namesOnly = input.AttributesToGet !== undefined && !input.AttributesToGet.some((a) => a !== "NAME");
  const withType = input.AttributesToGet?.includes("TABLE_TYPE") === true && namesOnly;
  const TableList: Table[] = [];
  let after = decodeToken(input.NextToken);
  for (;;) {
    const rows = ctx.store.listTables(catalogId, database, { ...(after === undefined ? {} : { after }), limit: SCAN_BATCH });
    for (const row of rows) {
      if (!matches(row.name)) continue;
      if (TableList.length === limit) return { TableList, NextToken: encodeToken(TableList[TableList.length - 1]!.Name) };
      const table = readTable(row.document, catalogId, database);
      TableList.push(namesOnly ? (withType && table.TableType !== undefined ? { Name: table.Name, TableType: table.TableType } : { Name: table.Name }) : table);
    }
    if (rows.length < SCAN_BATCH) return { TableList };
    after = rows[rows.length - 1]!.name;
  }
}
