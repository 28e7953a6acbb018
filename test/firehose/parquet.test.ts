// DirectPut -> Parquet with a Glue table's schema, read back by DuckDB (an independent Parquet
// reader) and compared record by record; records that do not fit the schema land under
// format-conversion-failed with the reason.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { CreateDeliveryStreamCommand, PutRecordBatchCommand, type FirehoseClient } from "@aws-sdk/client-firehose";
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from "@aws-sdk/client-glue";
import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clientConfig, type RunningServer } from "../helpers/server.js";
import { clients, eventually, getBytes, jsonLines, listKeys, ROLE, s3Destination, startFirehoseServer, waitActive } from "./support.js";

let server: RunningServer;
let firehose: FirehoseClient;
let s3: S3Client;
let scratch: string;

before(async () => {
  server = await startFirehoseServer();
  ({ firehose, s3 } = clients(server));
  scratch = mkdtempSync(join(tmpdir(), "firehose-parquet-"));
});
after(async () => {
  firehose?.destroy();
  s3?.destroy();
  await server?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const columns = [
  { Name: "id", Type: "bigint" },
  { Name: "name", Type: "string" },
  { Name: "score", Type: "double" },
  { Name: "active", Type: "boolean" },
  { Name: "at", Type: "timestamp" },
  { Name: "price", Type: "decimal(10,2)" },
  { Name: "tags", Type: "array<string>" },
  { Name: "attrs", Type: "map<string,int>" },
  { Name: "address", Type: "struct<city:string,zip:int>" },
];

test("JSON records become Parquet with the Glue table's columns; misfits go to the error prefix", async () => {
  const glue = new GlueClient(clientConfig(server));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "lake" } }));
  await glue.send(new CreateTableCommand({ DatabaseName: "lake", TableInput: { Name: "events", StorageDescriptor: { Columns: columns } } }));
  glue.destroy();
  await s3.send(new CreateBucketCommand({ Bucket: "parquet" }));
  await firehose.send(
    new CreateDeliveryStreamCommand({
      DeliveryStreamName: "to-parquet",
      ExtendedS3DestinationConfiguration: s3Destination("parquet", {
        BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 1 },
        Prefix: "events/dt=!{timestamp:yyyy-MM-dd}/",
        ErrorOutputPrefix: "errors/!{firehose:error-output-type}/",
        DataFormatConversionConfiguration: {
          SchemaConfiguration: { RoleARN: ROLE, DatabaseName: "lake", TableName: "events" },
          InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: {} } },
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: "SNAPPY" } } },
        },
      }),
    }),
  );
  await waitActive(firehose, "to-parquet");
  const good = Array.from({ length: 50 }, (_, i) => ({
    id: i,
    Name: `user ${i}`,
    score: i / 4,
    active: i % 2 === 0,
    at: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
    price: (i * 1.25).toFixed(2),
    tags: i % 3 === 0 ? [] : [`t${i}`, "x"],
    attrs: { a: i },
    address: i % 10 === 0 ? null : { city: `c${i}`, zip: 1000 + i },
  }));
  const bad = [{ id: "not a number" }, { id: 1, price: "99999999999.99" }];
  const records = [...good.slice(0, 25), ...bad, ...good.slice(25)].map((r) => ({ Data: Buffer.from(JSON.stringify(r)) }));
  const out = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "to-parquet", Records: records }));
  assert.equal(out.FailedPutCount, 0);

  const keys = await eventually("the Parquet object and the error object", async () => {
    const k = await listKeys(s3, "parquet");
    return k.length >= 2 ? k : undefined;
  });
  const parquetKey = keys.find((k) => k.startsWith("events/"))!;
  assert.match(parquetKey, /^events\/dt=\d{4}-\d{2}-\d{2}\/to-parquet-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.parquet$/);
  const file = join(scratch, "out.parquet");
  writeFileSync(file, await getBytes(s3, "parquet", parquetKey));

  const duck = await DuckDBInstance.create(":memory:");
  const conn = await duck.connect();
  const described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJson();
  assert.deepEqual(
    described.map((r) => [r["column_name"], r["column_type"]]),
    [
      ["id", "BIGINT"],
      ["name", "VARCHAR"],
      ["score", "DOUBLE"],
      ["active", "BOOLEAN"],
      ["at", "TIMESTAMP"],
      ["price", "DECIMAL(10,2)"],
      ["tags", "VARCHAR[]"],
      ["attrs", "MAP(VARCHAR, INTEGER)"],
      ["address", "STRUCT(city VARCHAR, zip INTEGER)"],
    ],
  );
  const rows = (
    await conn.runAndReadAll(
      `SELECT id, name, score, active, strftime("at", '%Y-%m-%dT%H:%M:%S.000Z') AS "at", price::VARCHAR AS price, to_json(tags)::VARCHAR AS tags, attrs['a'] AS a, address.city AS city, address.zip AS zip FROM read_parquet('${file}') ORDER BY id`,
    )
  ).getRowObjectsJson();
  conn.closeSync();
  assert.equal(rows.length, good.length);
  rows.forEach((r, i) => {
    const g = good[i]!;
    assert.equal(Number(r["id"]), g.id);
    assert.equal(r["name"], g.Name);
    assert.equal(r["score"], g.score);
    assert.equal(r["active"], g.active);
    assert.equal(r["at"], g.at);
    assert.equal(r["price"], g.price);
    assert.deepEqual(JSON.parse(r["tags"] as string), g.tags);
    assert.equal(r["a"], g.attrs.a);
    assert.equal(r["city"], g.address?.city ?? null);
    assert.equal(r["zip"], g.address?.zip ?? null);
  });

  const errorKey = keys.find((k) => k.startsWith("errors/format-conversion-failed/"))!;
  assert.ok(errorKey !== undefined, `error object among ${keys.join(", ")}`);
  const docs = jsonLines((await getBytes(s3, "parquet", errorKey)).toString("utf8"));
  assert.deepEqual(docs.map((d) => JSON.parse(Buffer.from(d["rawData"] as string, "base64").toString())), bad);
  assert.match(docs[0]!["ErrorMessage"] as string, /Cannot convert "not a number" to bigint at id/);
  assert.match(docs[1]!["ErrorMessage"] as string, /does not fit decimal\(10,2\)/);
  assert.deepEqual((docs[0]!["dataCatalogTable"] as Record<string, unknown>)["tableName"], "events");
});
