import assert from "node:assert/strict";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { describe, it } from "node:test";
import { parseHiveType } from "../../glue/hive-types.js";
import { convertValue, DEFAULT_SERDE, parquetElements, planParquet, recordToRow, SchemaMismatchError, writeParquet } from "./parquet.js";

const enc = (v: unknown): Uint8Array => new Uint8Array(Buffer.from(JSON.stringify(v)));
const columns = [
  { name: "id", type: "bigint" },
  { name: "Name", type: "string" },
  { name: "score", type: "double" },
  { name: "ok", type: "boolean" },
  { name: "at", type: "timestamp" },
  { name: "price", type: "decimal(10,2)" },
  { name: "tags", type: "array<string>" },
  { name: "attrs", type: "map<string,int>" },
  { name: "addr", type: "struct<city:string,zip:int>" },
];

describe("Hive types to Parquet", () => {
  it("maps every Hive type to its Parquet schema elements", () => {
    assert.deepEqual(parquetElements("d", parseHiveType("decimal(20,4)"))[0], { name: "d", repetition_type: "OPTIONAL", type: "FIXED_LEN_BYTE_ARRAY", type_length: 16, converted_type: "DECIMAL", precision: 20, scale: 4 });
    assert.deepEqual(
      parquetElements("a", parseHiveType("array<int>")).map((e) => [e.name, e.repetition_type, e.converted_type ?? e.type]),
      [["a", "OPTIONAL", "LIST"], ["list", "REPEATED", undefined], ["element", "OPTIONAL", "INT32"]],
    );
    assert.deepEqual(
      parquetElements("m", parseHiveType("map<string,bigint>")).map((e) => [e.name, e.repetition_type]),
      [["m", "OPTIONAL"], ["key_value", "REPEATED"], ["key", "REQUIRED"], ["value", "OPTIONAL"]],
    );
    assert.throws(() => parquetElements("u", parseHiveType("uniontype<int,string>")), SchemaMismatchError);
  });
  it("converts values by the OpenX SerDe rules and refuses what does not fit", () => {
    const t = (s: string) => parseHiveType(s);
    assert.equal(convertValue("12", t("int"), "c", DEFAULT_SERDE), 12);
    assert.equal(convertValue(12, t("string"), "c", DEFAULT_SERDE), "12");
    assert.equal(convertValue("12.345", t("decimal(5,2)"), "c", DEFAULT_SERDE), 1235n);
    assert.equal(convertValue("2024-01-02T03:04:05Z", t("timestamp"), "c", DEFAULT_SERDE), BigInt(Date.UTC(2024, 0, 2, 3, 4, 5)));
    assert.equal(convertValue(1_700_000_000, t("timestamp"), "c", DEFAULT_SERDE), 1_700_000_000_000n);
    assert.throws(() => convertValue("abc", t("int"), "c", DEFAULT_SERDE), /Cannot convert "abc" to int at c/);
    assert.throws(() => convertValue(3_000_000_000, t("int"), "c", DEFAULT_SERDE), SchemaMismatchError);
    assert.throws(() => convertValue("123456.7", t("decimal(5,2)"), "c", DEFAULT_SERDE), /does not fit/);
    assert.throws(() => convertValue({ a: 1 }, t("array<int>"), "c", DEFAULT_SERDE), SchemaMismatchError);
  });
  it("writes a file an independent reader reads back with the table's columns", async () => {
    const plan = planParquet(columns);
    const records = [
      { id: 1, NAME: "a", score: 1.5, ok: true, at: "2024-01-02T03:04:05.006Z", price: "9.99", tags: ["x", "y"], attrs: { k: 1 }, addr: { City: "Oslo", zip: 150 } },
      { id: "2", name: null, score: 2, ok: "false", at: 1_700_000_000_000, price: 10, tags: [], attrs: {}, addr: null },
    ];
    const rows = records.map((r) => recordToRow(plan, enc(r), DEFAULT_SERDE));
    const file = writeParquet(plan, rows, { compression: "SNAPPY" });
    const buf = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
    const meta = parquetMetadata(buf);
    assert.equal(Number(meta.num_rows), 2);
    const back = await parquetReadObjects({ file: buf });
    assert.equal(back[0]!["name"], "a");
    assert.equal(back[0]!["id"], 1n);
    assert.deepEqual(back[0]!["tags"], ["x", "y"]);
    assert.deepEqual(back[0]!["addr"], { city: "Oslo", zip: 150 });
    assert.equal((back[0]!["at"] as Date).toISOString(), "2024-01-02T03:04:05.006Z");
    assert.equal(back[1]!["ok"], false);
    assert.equal(back[1]!["name"], null);
    assert.throws(() => recordToRow(plan, enc([1, 2]), DEFAULT_SERDE), /not a JSON object/);
    assert.throws(() => recordToRow(plan, new Uint8Array(Buffer.from("{bad")), DEFAULT_SERDE), /not valid JSON/);
  });
  it("honours ColumnToJsonKeyMappings and case sensitivity", () => {
    const plan = planParquet([{ name: "ts", type: "string" }, { name: "user", type: "string" }]);
    assert.deepEqual(recordToRow(plan, enc({ "event.time": "t", USER: "u" }), { ...DEFAULT_SERDE, columnToJsonKeyMappings: { ts: "event.time" } }), ["t", "u"]);
    assert.deepEqual(recordToRow(plan, enc({ USER: "u" }), { ...DEFAULT_SERDE, caseInsensitive: false }), [null, null]);
    assert.deepEqual(recordToRow(plan, enc({ "t.s": "x" }), { ...DEFAULT_SERDE, convertDotsInJsonKeysToUnderscores: true }), [null, null]);
  });
});
