import assert from "node:assert/strict";
import { test } from "node:test";
import { createSqliteCatalogStore } from "../../../storage/catalog/sqlite-catalog-store.js";
import { ManualClock } from "../../../util/clock.js";
import type { GlueContext } from "../catalog.js";
import { GlueError } from "../errors.js";
import { batchCreatePartition } from "./batch-create-partition.js";
import { batchDeleteTable } from "./batch-delete-table.js";
import { createDatabase } from "./create-database.js";
import { createPartition } from "./create-partition.js";
import { createTable } from "./create-table.js";
import { deleteDatabase } from "./delete-database.js";
import { getDatabase } from "./get-database.js";
import { getDatabases } from "./get-databases.js";
import { getPartition } from "./get-partition.js";
import { getPartitions } from "./get-partitions.js";
import { getTable } from "./get-table.js";
import { getTables, tableNameMatcher } from "./get-tables.js";
import { updateDatabase } from "./update-database.js";
import { updateTable } from "./update-table.js";

function context(): GlueContext & { clock: ManualClock } {
  return { store: createSqliteCatalogStore(":memory:"), clock: new ManualClock(1_700_000_000_000), accountId: "000000000000", principalArn: "arn:aws:iam::000000000000:root" };
}

async function rejects(p: Promise<unknown>, code: string, message?: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof GlueError, String(err));
    assert.equal(err.code, code);
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}

const columns = [
  { Name: "id", Type: "bigint" },
  { Name: "payload", Type: "struct<a:int,b:array<string>>" },
];

test("databases: names fold to lower case, conflicts and misses are worded as Glue words them", async () => {
  const ctx = context();
  await createDatabase({ DatabaseInput: { Name: "Sales", Description: "d" } }, ctx);
  await rejects(createDatabase({ DatabaseInput: { Name: "sales" } }, ctx), "AlreadyExistsException", "Database already exists.");
  const { Database } = await getDatabase({ Name: "SALES" }, ctx);
  assert.equal(Database?.Name, "sales");
  assert.equal(Database?.CatalogId, "000000000000");
  assert.deepEqual(Database?.Parameters, {});
  assert.deepEqual(Database?.CreateTime, new Date(1_700_000_000_000));
  assert.equal(Database?.CreateTableDefaultPermissions?.[0]?.Principal?.DataLakePrincipalIdentifier, "IAM_ALLOWED_PRINCIPALS");
  await rejects(getDatabase({ Name: "nope" }, ctx), "EntityNotFoundException", "Database nope not found.");
  await updateDatabase({ Name: "sales", DatabaseInput: { Name: "sales", Description: "new" } }, ctx);
  assert.equal((await getDatabase({ Name: "sales" }, ctx)).Database?.Description, "new");
  await rejects(deleteDatabase({ Name: "nope" }, ctx), "EntityNotFoundException", "Database nope not found.");
});

test("GetDatabases pages with NextToken and refuses tokens it did not issue", async () => {
  const ctx = context();
  for (const n of ["c", "a", "b"]) await createDatabase({ DatabaseInput: { Name: n } }, ctx);
  const first = await getDatabases({ MaxResults: 2 }, ctx);
  assert.deepEqual(first.DatabaseList.map((d) => d.Name), ["a", "b"]);
  assert.ok(first.NextToken);
  const second = await getDatabases({ MaxResults: 2, NextToken: first.NextToken }, ctx);
  assert.deepEqual(second.DatabaseList.map((d) => d.Name), ["c"]);
  assert.equal(second.NextToken, undefined);
  await rejects(getDatabases({ NextToken: "garbage" }, ctx), "InvalidInputException");
});

test("tables: create, read back with Glue's fields, update bumps the version, delete", async () => {
  const ctx = context();
  await rejects(createTable({ DatabaseName: "db", TableInput: { Name: "t" } }, ctx), "EntityNotFoundException", "Database db not found.");
  await createDatabase({ DatabaseInput: { Name: "db" } }, ctx);
  await createTable({ DatabaseName: "DB", TableInput: { Name: "Events", StorageDescriptor: { Columns: columns, Location: "s3://b/events/" }, TableType: "EXTERNAL_TABLE" } }, ctx);
  await rejects(createTable({ DatabaseName: "db", TableInput: { Name: "events" } }, ctx), "AlreadyExistsException", "Table already exists.");
  const { Table } = await getTable({ DatabaseName: "db", Name: "EVENTS" }, ctx);
  assert.equal(Table?.Name, "events");
  assert.equal(Table?.DatabaseName, "db");
  assert.deepEqual(Table?.StorageDescriptor?.Columns, columns);
  assert.deepEqual(Table?.PartitionKeys, []);
  assert.equal(Table?.VersionId, "0");
  assert.equal(Table?.CreatedBy, "arn:aws:iam::000000000000:root");
  await rejects(getTable({ DatabaseName: "db", Name: "nope" }, ctx), "EntityNotFoundException", "Table nope not found.");

  ctx.clock.advance(5000);
  await updateTable({ DatabaseName: "db", TableInput: { Name: "events", Description: "v2" } }, ctx);
  const after = (await getTable({ DatabaseName: "db", Name: "events" }, ctx)).Table!;
  assert.equal(after.Description, "v2");
  assert.equal(after.StorageDescriptor, undefined); // UpdateTable replaces, it does not merge
  assert.equal(after.VersionId, "1");
  assert.deepEqual(after.CreateTime, Table?.CreateTime);
  assert.deepEqual(after.UpdateTime, new Date(1_700_000_005_000));
  await rejects(updateTable({ DatabaseName: "db", VersionId: "0", TableInput: { Name: "events" } }, ctx), "ConcurrentModificationException");
  await rejects(updateTable({ DatabaseName: "db", TableInput: { Name: "ghost" } }, ctx), "EntityNotFoundException", "Table ghost not found.");

  const res = await batchDeleteTable({ DatabaseName: "db", TablesToDelete: ["events", "ghost"] }, ctx);
  assert.deepEqual(res.Errors, [{ TableName: "ghost", ErrorDetail: { ErrorCode: "EntityNotFoundException", ErrorMessage: "Table ghost not found." } }]);
});

test("GetTables filters with Hive-style patterns and pages across the filter", async () => {
  const ctx = context();
  await createDatabase({ DatabaseInput: { Name: "db" } }, ctx);
  for (const n of ["web_clicks", "web_views", "app_events", "webhooks"]) await createTable({ DatabaseName: "db", TableInput: { Name: n } }, ctx);
  const all = await getTables({ DatabaseName: "db" }, ctx);
  assert.deepEqual(all.TableList?.map((t) => t.Name), ["app_events", "web_clicks", "web_views", "webhooks"]);
  const page1 = await getTables({ DatabaseName: "db", Expression: "web_*", MaxResults: 1 }, ctx);
  assert.deepEqual(page1.TableList?.map((t) => t.Name), ["web_clicks"]);
  const page2 = await getTables({ DatabaseName: "db", Expression: "web_*", MaxResults: 1, NextToken: page1.NextToken! }, ctx);
  assert.deepEqual(page2.TableList?.map((t) => t.Name), ["web_views"]);
  assert.equal(page2.NextToken, undefined);
  assert.deepEqual((await getTables({ DatabaseName: "db", Expression: "APP*|webhooks" }, ctx)).TableList?.map((t) => t.Name), ["app_events", "webhooks"]);
  assert.equal(tableNameMatcher("web.*")("web_x"), true);
  assert.equal(tableNameMatcher("web")("web_x"), false);
  await rejects(getTables({ DatabaseName: "db", Expression: "(" }, ctx), "InvalidInputException");
  await rejects(getTables({ DatabaseName: "none" }, ctx), "EntityNotFoundException", "Database none not found.");
});

test("partitions: values must match the keys; batch reports duplicates; GetPartitions filters and pages", async () => {
  const ctx = context();
  await createDatabase({ DatabaseInput: { Name: "db" } }, ctx);
  await createTable({ DatabaseName: "db", TableInput: { Name: "t", PartitionKeys: [{ Name: "year", Type: "int" }, { Name: "month", Type: "string" }] } }, ctx);
  await rejects(createPartition({ DatabaseName: "db", TableName: "t", PartitionInput: { Values: ["2024"] } }, ctx), "InvalidInputException", "The number of partition keys do not match the number of partition values");
  await createPartition({ DatabaseName: "db", TableName: "t", PartitionInput: { Values: ["2024", "01"], StorageDescriptor: { Columns: columns, Location: "s3://b/t/2024/01/" } } }, ctx);
  await rejects(createPartition({ DatabaseName: "db", TableName: "t", PartitionInput: { Values: ["2024", "01"] } }, ctx), "AlreadyExistsException", "Partition already exists.");
  const batch = await batchCreatePartition(
    { DatabaseName: "db", TableName: "t", PartitionInputList: [{ Values: ["2024", "01"] }, { Values: ["2024", "02"] }, { Values: ["2023", "12"] }, { Values: ["x"] }] },
    ctx,
  );
  assert.deepEqual(batch.Errors?.map((e) => [e.PartitionValues, e.ErrorDetail?.ErrorCode]), [
    [["x"], "InvalidInputException"],
    [["2024", "01"], "AlreadyExistsException"],
  ]);
  const one = await getPartition({ DatabaseName: "db", TableName: "t", PartitionValues: ["2024", "01"] }, ctx);
  assert.equal(one.Partition?.StorageDescriptor?.Location, "s3://b/t/2024/01/");
  assert.equal(one.Partition?.TableName, "t");
  await rejects(getPartition({ DatabaseName: "db", TableName: "t", PartitionValues: ["1999", "01"] }, ctx), "EntityNotFoundException", "Cannot find partition.");

  const filtered = await getPartitions({ DatabaseName: "db", TableName: "t", Expression: "year >= 2024 AND month IN ('01','02')", ExcludeColumnSchema: true }, ctx);
  assert.deepEqual(filtered.Partitions?.map((p) => p.Values), [["2024", "01"], ["2024", "02"]]);
  assert.equal(filtered.Partitions?.[0]?.StorageDescriptor?.Columns, undefined);
  const p1 = await getPartitions({ DatabaseName: "db", TableName: "t", MaxResults: 2 }, ctx);
  const p2 = await getPartitions({ DatabaseName: "db", TableName: "t", MaxResults: 2, NextToken: p1.NextToken! }, ctx);
  assert.equal((p1.Partitions?.length ?? 0) + (p2.Partitions?.length ?? 0), 3);
  assert.equal(p2.NextToken, undefined);
  const segments = await Promise.all([0, 1, 2].map((n) => getPartitions({ DatabaseName: "db", TableName: "t", Segment: { SegmentNumber: n, TotalSegments: 3 } }, ctx)));
  assert.equal(segments.reduce((sum, s) => sum + (s.Partitions?.length ?? 0), 0), 3);
  await rejects(getPartitions({ DatabaseName: "db", TableName: "t", Expression: "colour = 'red'" }, ctx), "InvalidInputException");

  await deleteDatabase({ Name: "db" }, ctx);
  await createDatabase({ DatabaseInput: { Name: "db" } }, ctx);
  await rejects(getTable({ DatabaseName: "db", Name: "t" }, ctx), "EntityNotFoundException", "Table t not found.");
});
