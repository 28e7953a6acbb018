import assert from "node:assert/strict";
import { test } from "node:test";
import { ArenaLease } from "./blob-arena.js";
import { parseJsonInputFast } from "./parse-json-fast.js";
import type { ShapeTable } from "./shape-def.js";

const shapes: ShapeTable = {
  Req: { type: "structure", members: { Items: "Items" } },
  Items: { type: "list", member: "Item" },
  Item: { type: "structure", members: { Data: "Data" } },
  Data: { type: "blob" },
};

test("blobs decoded into leased arenas are right, and a released arena is handed out again", () => {
  const body = Buffer.from(JSON.stringify({ Items: [{ Data: Buffer.from("first blob").toString("base64") }, { Data: Buffer.alloc(3000, 9).toString("base64") }] }));
  const lease = new ArenaLease();
  const got = parseJsonInputFast(body, "Req", { shapes }, lease)?.["Items"] as { Data: Uint8Array }[];
  assert.equal(Buffer.from(got[0]!.Data).toString(), "first blob");
  assert.ok(Buffer.from(got[1]!.Data).equals(Buffer.alloc(3000, 9)));
  const arena = got[0]!.Data.buffer;
  lease.release();
  const again = new ArenaLease();
  const taken = again.take(1000);
  assert.equal(taken.buffer, arena);
  // While a lease holds an arena, another lease gets a different one.
  assert.notEqual(new ArenaLease().take(1000).buffer, arena);
  again.release();
});

test("an arena much larger than asked for is not handed out for a small body", () => {
  const big = new ArenaLease();
  const b = big.take(2 * 1024 * 1024);
  big.release();
  const small = new ArenaLease();
  assert.notEqual(small.take(1000).buffer, b.buffer);
  small.release();
});
