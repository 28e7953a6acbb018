import assert from "node:assert/strict";
import { test } from "node:test";
import { compilePartitionFilter } from "./partition-expression.js";
import { readQuoted } from "./quoted.js";

test("readQuoted unescapes doubled quotes and says where the run ends", () => {
  assert.deepEqual(readQuoted("x = 'it''s' and", 4, "'"), { value: "it's", next: 11 });
  assert.deepEqual(readQuoted("`a``b`:int", 0, "`"), { value: "a`b", next: 6 });
  assert.deepEqual(readQuoted("''", 0, "'"), { value: "", next: 2 });
  assert.equal(readQuoted("'open", 0, "'"), undefined);
  assert.equal(readQuoted("'ends in an escape''", 0, "'"), undefined);
});

test("a partition filter's string literal may hold a doubled quote", () => {
  const match = compilePartitionFilter("name = 'o''neil'", [{ name: "name", type: "string" }]);
  assert.equal(match(["o'neil"]), true);
  assert.equal(match(["o''neil"]), false);
});
