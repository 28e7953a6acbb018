import assert from "node:assert/strict";
import { test } from "node:test";
import { formatHiveType, HiveTypeError, parseHiveType, type HiveType } from "./hive-types.js";

test("primitives, aliases and case", () => {
  for (const name of ["string", "tinyint", "smallint", "int", "bigint", "float", "double", "boolean", "timestamp", "date", "binary"]) {
    assert.deepEqual(parseHiveType(name), { kind: "primitive", name });
    assert.deepEqual(parseHiveType(name.toUpperCase()), { kind: "primitive", name });
  }
  assert.deepEqual(parseHiveType("integer"), { kind: "primitive", name: "int" });
  assert.deepEqual(parseHiveType("  double precision "), { kind: "primitive", name: "double" });
});

test("decimal defaults and parameters", () => {
  assert.deepEqual(parseHiveType("decimal"), { kind: "decimal", precision: 10, scale: 0 });
  assert.deepEqual(parseHiveType("decimal(7)"), { kind: "decimal", precision: 7, scale: 0 });
  assert.deepEqual(parseHiveType("DECIMAL( 38 , 10 )"), { kind: "decimal", precision: 38, scale: 10 });
  assert.throws(() => parseHiveType("decimal(39,2)"), /precision must be between 1 and 38/);
  assert.throws(() => parseHiveType("decimal(5,6)"), /scale must not exceed/);
  assert.throws(() => parseHiveType("decimal(5,"), HiveTypeError);
});

test("varchar and char need a length within Hive's limits", () => {
  assert.deepEqual(parseHiveType("varchar(64)"), { kind: "varchar", length: 64 });
  assert.deepEqual(parseHiveType("char(1)"), { kind: "char", length: 1 });
  assert.throws(() => parseHiveType("varchar"), /expected '\('/);
  assert.throws(() => parseHiveType("char(256)"), /between 1 and 255/);
});

test("nested array, map and struct", () => {
  const t = parseHiveType("array<struct<id:bigint,tags:map<string,array<int>>,price:decimal(10,2)>>");
  const expected: HiveType = {
    kind: "array",
    element: {
      kind: "struct",
      fields: [
        { name: "id", type: { kind: "primitive", name: "bigint" } },
        { name: "tags", type: { kind: "map", key: { kind: "primitive", name: "string" }, value: { kind: "array", element: { kind: "primitive", name: "int" } } } },
        { name: "price", type: { kind: "decimal", precision: 10, scale: 2 } },
      ],
    },
  };
  assert.deepEqual(t, expected);
});

test("struct field names: backquotes, keywords, comments, spaces", () => {
  const t = parseHiveType("struct< `user id` : string , `a``b`:int, date:date, c:int COMMENT 'the c'>");
  assert.deepEqual(t, {
    kind: "struct",
    fields: [
      { name: "user id", type: { kind: "primitive", name: "string" } },
      { name: "a`b", type: { kind: "primitive", name: "int" } },
      { name: "date", type: { kind: "primitive", name: "date" } },
      { name: "c", type: { kind: "primitive", name: "int" }, comment: "the c" },
    ],
  });
  assert.equal(formatHiveType(t), "struct<`user id`:string,`a``b`:int,date:date,c:int>");
  assert.deepEqual(parseHiveType("struct<>"), { kind: "struct", fields: [] });
  assert.throws(() => parseHiveType("struct<a:int,A:string>"), /duplicate struct field 'A'/);
});

test("uniontype", () => {
  assert.deepEqual(parseHiveType("uniontype<int,string>"), {
    kind: "uniontype",
    members: [
      { kind: "primitive", name: "int" },
      { kind: "primitive", name: "string" },
    ],
  });
});

test("errors name the position", () => {
  const cases: Array<[string, RegExp]> = [
    ["", /expected a type but the text ended at position 0/],
    ["strin", /unknown type 'strin' at position 0/],
    ["array<int", /expected '>' but the type ended at position 9/],
    ["map<string>", /expected ',' but found '>' at position 10/],
    ["array<int>>", /unexpected '>' after the type at position 10/],
    ["struct<a int>", /expected ':' but found 'int' at position 9/],
    ["int;", /unexpected character ';' at position 3/],
    ["struct<`a:int>", /unterminated quoted name at position 7/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseHiveType(text), (err: unknown) => err instanceof HiveTypeError && re.test(err.message), text);
  }
});

test("format round-trips to the canonical spelling", () => {
  for (const text of ["INT", "array< map<string , decimal(12, 4)> >", "struct<a:varchar(10),b:char(3),c:uniontype<int,double>>", "decimal"]) {
    const t = parseHiveType(text);
    assert.deepEqual(parseHiveType(formatHiveType(t)), t);
  }
  assert.equal(formatHiveType(parseHiveType("array< map<string , decimal(12, 4)> >")), "array<map<string,decimal(12,4)>>");
});
