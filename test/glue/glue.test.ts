// Glue Data Catalog end to end with @aws-sdk/client-glue: databases, tables (Hive column types,
// partition keys, Expression filters, paginators), partitions, errors as Glue words them, and
// requests signed with a wrong key.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  BatchDeleteTableCommand,
  CreateDatabaseCommand,
  CreatePartitionCommand,
  CreateTableCommand,
  DeleteDatabaseCommand,
  DeleteTableCommand,
  EntityNotFoundException,
  GetDatabaseCommand,
  GetDatabasesCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GetTablesCommand,
  GlueClient,
  GlueServiceException,
  UpdateTableCommand,
  paginateGetTables,
  type Column,
} from "@aws-sdk/client-glue";
import { clientConfig, startServer, type RunningServer } from "../helpers/server.js";

let server: RunningServer;
let glue: GlueClient;

before(async () => {
  server = await startServer();
  glue = new GlueClient(clientConfig(server));
});
after(async () => {
  glue?.destroy();
  await server?.dispose();
});

const columns: Column[] = [
  { Name: "id", Type: "bigint" },
  { Name: "name", Type: "string", Comment: "display name" },
  { Name: "price", Type: "decimal(10,2)" },
  { Name: "tags", Type: "array<string>" },
  { Name: "attrs", Type: "map<string,string>" },
  { Name: "location", Type: "struct<lat:double,lon:double>" },
  { Name: "seen", Type: "timestamp" },
];

async function rejectsWith(p: Promise<unknown>, name: string, message?: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof GlueServiceException, String(err));
    assert.equal(err.name, name);
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}

test("databases: create, get, list, conflicts and misses", async () => {
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "Analytics", Description: "web analytics", Parameters: { owner: "data" } } }));
  const { Database } = await glue.send(new GetDatabaseCommand({ Name: "analytics" }));
  assert.equal(Database?.Name, "analytics");
  assert.equal(Database?.Description, "web analytics");
  assert.deepEqual(Database?.Parameters, { owner: "data" });
  assert.ok(Database?.CreateTime instanceof Date);
  assert.ok(Math.abs(Database.CreateTime.getTime() - Date.now()) < 60_000);
  await assert.rejects(glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "analytics" } })), AlreadyExistsException);
  await assert.rejects(glue.send(new GetDatabaseCommand({ Name: "missing" })), (e: unknown) => e instanceof EntityNotFoundException && e.message === "Database missing not found.");
  const { DatabaseList } = await glue.send(new GetDatabasesCommand({}));
  assert.ok(DatabaseList?.some((d) => d.Name === "analytics"));
});

test("tables: create with Hive types and partition keys, read back, update, list with paginators and Expression", async () => {
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "lake" } }));
  await glue.send(
    new CreateTableCommand({
      DatabaseName: "lake",
      TableInput: {
        Name: "events",
        TableType: "EXTERNAL_TABLE",
        Parameters: { classification: "parquet" },
        PartitionKeys: [
          { Name: "dt", Type: "date" },
          { Name: "region", Type: "string" },
        ],
        StorageDescriptor: {
          Columns: columns,
          Location: "s3://lake/events/",
          InputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
          OutputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
          SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe", Parameters: { "serialization.format": "1" } },
        },
      },
    }),
  );
  const { Table } = await glue.send(new GetTableCommand({ DatabaseName: "lake", Name: "EVENTS" }));
  assert.equal(Table?.Name, "events");
  assert.equal(Table?.DatabaseName, "lake");
  assert.deepEqual(Table?.StorageDescriptor?.Columns, columns);
  assert.equal(Table?.StorageDescriptor?.SerdeInfo?.SerializationLibrary, "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
  assert.deepEqual(Table?.PartitionKeys?.map((k) => k.Name), ["dt", "region"]);
  assert.equal(Table?.TableType, "EXTERNAL_TABLE");
  assert.equal(Table?.VersionId, "0");
  assert.ok(Table?.CreateTime instanceof Date);

  await glue.send(new UpdateTableCommand({ DatabaseName: "lake", TableInput: { Name: "events", StorageDescriptor: { Columns: [...columns, { Name: "extra", Type: "int" }] } } }));
  const updated = (await glue.send(new GetTableCommand({ DatabaseName: "lake", Name: "events" }))).Table;
  assert.equal(updated?.StorageDescriptor?.Columns?.length, columns.length + 1);
  assert.equal(updated?.VersionId, "1");

  await rejectsWith(glue.send(new CreateTableCommand({ DatabaseName: "lake", TableInput: { Name: "events" } })), "AlreadyExistsException", "Table already exists.");
  await rejectsWith(glue.send(new GetTableCommand({ DatabaseName: "lake", Name: "nope" })), "EntityNotFoundException", "Table nope not found.");
  await rejectsWith(glue.send(new GetTableCommand({ DatabaseName: "nodb", Name: "x" })), "EntityNotFoundException", "Database nodb not found.");

  for (let i = 0; i < 12; i++) await glue.send(new CreateTableCommand({ DatabaseName: "lake", TableInput: { Name: `clicks_${String(i).padStart(2, "0")}` } }));
  const names: string[] = [];
  for await (const page of paginateGetTables({ client: glue, pageSize: 5 }, { DatabaseName: "lake", Expression: "clicks_*" })) {
    assert.ok((page.TableList?.length ?? 0) <= 5);
    names.push(...(page.TableList ?? []).map((t) => t.Name!));
  }
  assert.deepEqual(names, Array.from({ length: 12 }, (_, i) => `clicks_${String(i).padStart(2, "0")}`));
  const { TableList } = await glue.send(new GetTablesCommand({ DatabaseName: "lake", Expression: "ev*" }));
  assert.deepEqual(TableList?.map((t) => t.Name), ["events"]);

  const batch = await glue.send(new BatchDeleteTableCommand({ DatabaseName: "lake", TablesToDelete: ["clicks_00", "clicks_01", "ghost"] }));
  assert.deepEqual(batch.Errors?.map((e) => [e.TableName, e.ErrorDetail?.ErrorCode]), [["ghost", "EntityNotFoundException"]]);
  await glue.send(new DeleteTableCommand({ DatabaseName: "lake", Name: "clicks_02" }));
  const left = await glue.send(new GetTablesCommand({ DatabaseName: "lake", Expression: "clicks_0[0-2]" }));
  assert.deepEqual(left.TableList, []);
});

test("partitions: create one and a batch, filter with an expression", async () => {
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "parts" } }));
  await glue.send(
    new CreateTableCommand({
      DatabaseName: "parts",
      TableInput: { Name: "logs", PartitionKeys: [{ Name: "year", Type: "int" }, { Name: "month", Type: "string" }], StorageDescriptor: { Columns: columns } },
    }),
  );
  await glue.send(new CreatePartitionCommand({ DatabaseName: "parts", TableName: "logs", PartitionInput: { Values: ["2024", "01"], StorageDescriptor: { Location: "s3://b/logs/2024/01/" } } }));
  const res = await glue.send(
    new BatchCreatePartitionCommand({ DatabaseName: "parts", TableName: "logs", PartitionInputList: [{ Values: ["2024", "02"] }, { Values: ["2025", "01"] }, { Values: ["2024", "01"] }] }),
  );
  assert.deepEqual(res.Errors?.map((e) => e.ErrorDetail?.ErrorCode), ["AlreadyExistsException"]);
  const { Partitions } = await glue.send(new GetPartitionsCommand({ DatabaseName: "parts", TableName: "logs", Expression: "year = 2024 and month > '01'" }));
  assert.deepEqual(Partitions?.map((p) => p.Values), [["2024", "02"]]);
  await rejectsWith(glue.send(new GetPartitionsCommand({ DatabaseName: "parts", TableName: "logs", Expression: "day = 1" })), "InvalidInputException");
});

test("validation errors, deletes, and a wrong secret key", async () => {
  await rejectsWith(
    glue.send(new GetTablesCommand({ DatabaseName: "x".repeat(256) })),
    "ValidationException",
    `1 validation error detected: Value '${"x".repeat(256)}' at 'databaseName' failed to satisfy constraint: Member must have length less than or equal to 255`,
  );
  await glue.send(new DeleteDatabaseCommand({ Name: "parts" }));
  await rejectsWith(glue.send(new GetTableCommand({ DatabaseName: "parts", Name: "logs" })), "EntityNotFoundException", "Database parts not found.");
  await rejectsWith(glue.send(new DeleteDatabaseCommand({ Name: "parts" })), "EntityNotFoundException", "Database parts not found.");

  const bad = new GlueClient({ ...clientConfig(server), credentials: { accessKeyId: clientConfig(server).credentials.accessKeyId, secretAccessKey: "wrong" } });
  try {
    await rejectsWith(bad.send(new GetDatabasesCommand({})), "InvalidSignatureException");
  } finally {
    bad.destroy();
  }
  const unknown = new GlueClient({ ...clientConfig(server), credentials: { accessKeyId: "AKIANOTAKEY000000000", secretAccessKey: "x" } });
  try {
    await rejectsWith(unknown.send(new GetDatabasesCommand({})), "UnrecognizedClientException");
  } finally {
    unknown.destroy();
  }
});
