import assert from "node:assert/strict";
import { test } from "node:test";
import { compilePartitionFilter, PartitionExpressionError } from "./partition-expression.js";

const keys = [
  { name: "year", type: "int" },
  { name: "month", type: "string" },
  { name: "day", type: "date" },
];
const parts = [
  ["2023", "12", "2023-12-31"],
  ["2024", "01", "2024-01-15"],
  ["2024", "02", "2024-02-01"],
  ["2025", "10", "2025-10-01"],
];
const run = (expr: string) => parts.filter(compilePartitionFilter(expr, keys)).map((p) => p.join("/"));

test("comparisons use the key's type", () => {
  assert.deepEqual(run("year = 2024"), ["2024/01/2024-01-15", "2024/02/2024-02-01"]);
  assert.deepEqual(run("year > '2023' AND month <> '02'"), ["2024/01/2024-01-15", "2025/10/2025-10-01"]);
  assert.deepEqual(run("month < '02'"), ["2024/01/2024-01-15"]); // strings compare as text: '10' < '02' is false, '12' too
  assert.deepEqual(run("day >= date '2024-02-01'"), ["2024/02/2024-02-01", "2025/10/2025-10-01"]);
});

test("IN, BETWEEN, LIKE, NOT, OR, parentheses, IS NULL", () => {
  assert.deepEqual(run("month IN ('01', '10')"), ["2024/01/2024-01-15", "2025/10/2025-10-01"]);
  assert.deepEqual(run("year BETWEEN 2024 AND 2024"), ["2024/01/2024-01-15", "2024/02/2024-02-01"]);
  assert.deepEqual(run("month LIKE '1%'"), ["2023/12/2023-12-31", "2025/10/2025-10-01"]);
  assert.deepEqual(run("NOT (year = 2024 OR year = 2025)"), ["2023/12/2023-12-31"]);
  assert.deepEqual(run("year NOT IN (2024)"), ["2023/12/2023-12-31", "2025/10/2025-10-01"]);
  assert.deepEqual(run("`Year` != 2024 and month not like '1_'"), []);
  assert.deepEqual(run("year IS NOT NULL"), parts.map((p) => p.join("/")));
});

test("malformed expressions and unknown columns are refused", () => {
  for (const bad of ["", "year =", "year = 1 AND", "(year = 1", "colour = 'red'", "year == 1", "year = 'x"]) {
    assert.throws(() => compilePartitionFilter(bad, keys), PartitionExpressionError, bad);
  }
});
