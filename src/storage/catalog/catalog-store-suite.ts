import assert from "node:assert/strict";
import { test } from "node:test";
import { storeTests, type StoreSuiteOptions } from "../store-suite.js";
import { CatalogConflictError, CatalogNotFoundError, partitionKey, type CatalogStore } from "./catalog-store.js";

/** How the suite gets a fresh store, and (optionally) the same data reopened. */
export type CatalogSuiteOptions = StoreSuiteOptions<CatalogStore>;

/** The contract every CatalogStore implementation must meet. */
export function runCatalogStoreSuite(options: CatalogSuiteOptions): void {
  const withStore = storeTests(options.create);
  const C = "123456789012";

  test(`${options.name}: databases are created once, read, listed in byte order and paged`, withStore((s) => {
    s.createDatabase(C, "b", { Description: "B" });
    s.createDatabase(C, "a", { Description: "A" });
    s.createDatabase(C, "é", {});
    s.createDatabase("other", "z", {});
    assert.throws(() => s.createDatabase(C, "a", {}), CatalogConflictError);
    assert.deepEqual(s.getDatabase(C, "a"), { Description: "A" });
    assert.equal(s.getDatabase(C, "z"), undefined);
    assert.deepEqual(s.listDatabases(C, { limit: 10 }).map((e) => e.name), ["a", "b", "é"]);
    assert.deepEqual(s.listDatabases(C, { limit: 1, after: "a" }).map((e) => e.name), ["b"]);
    assert.deepEqual(s.listDatabases("other", { limit: 10 }), [{ name: "z", document: {} }]);
  }));

  test(`${options.name}: tables need their database, conflict by name, update and page`, withStore((s) => {
    assert.throws(() => s.createTable(C, "db", "t", {}), (e: unknown) => e instanceof CatalogNotFoundError && e.kind === "database");
    s.createDatabase(C, "db", {});
    for (const t of ["t2", "t1", "t3"]) s.createTable(C, "db", t, { n: t });
    assert.throws(() => s.createTable(C, "db", "t1", {}), CatalogConflictError);
    assert.deepEqual(s.getTable(C, "db", "t1"), { n: "t1" });
    s.updateTable(C, "db", "t1", { n: "t1", v: 2 });
    assert.deepEqual(s.getTable(C, "db", "t1"), { n: "t1", v: 2 });
    assert.throws(() => s.updateTable(C, "db", "missing", {}), CatalogNotFoundError);
    assert.deepEqual(s.listTables(C, "db", { limit: 2 }).map((e) => e.name), ["t1", "t2"]);
    assert.deepEqual(s.listTables(C, "db", { limit: 2, after: "t2" }).map((e) => e.name), ["t3"]);
    assert.equal(s.deleteTable(C, "db", "t2"), true);
    assert.equal(s.deleteTable(C, "db", "t2"), false);
    assert.deepEqual(s.listTables(C, "db", { limit: 10 }).map((e) => e.name), ["t1", "t3"]);
  }));

  test(`${options.name}: partitions are created in batches, found by values, and go with their table`, withStore((s) => {
    s.createDatabase(C, "db", {});
    assert.throws(() => s.createPartitions(C, "db", "t", [{ values: ["1"], document: {} }]), CatalogNotFoundError);
    s.createTable(C, "db", "t", {});
    const r = s.createPartitions(C, "db", "t", [
      { values: ["2024", "01"], document: { v: 1 } },
      { values: ["2024", "02"], document: { v: 2 } },
    ]);
    assert.deepEqual(r, ["created", "created"]);
    assert.deepEqual(s.createPartitions(C, "db", "t", [{ values: ["2024", "01"], document: { v: 9 } }, { values: ["a,b"], document: {} }]), ["exists", "created"]);
    assert.deepEqual(s.getPartition(C, "db", "t", ["2024", "01"]), { v: 1 });
    assert.equal(s.getPartition(C, "db", "t", ["2024"]), undefined);
    const all = s.listPartitions(C, "db", "t", { limit: 10 });
    assert.equal(all.length, 3);
    assert.deepEqual(s.listPartitions(C, "db", "t", { limit: 10, after: partitionKey(["2024", "01"]) }).map((e) => e.name), [partitionKey(["2024", "02"]), partitionKey(["a,b"])]);
    assert.equal(s.deletePartition(C, "db", "t", ["a,b"]), true);
    assert.equal(s.deletePartition(C, "db", "t", ["a,b"]), false);
    s.deleteTable(C, "db", "t");
    s.createTable(C, "db", "t", {});
    assert.deepEqual(s.listPartitions(C, "db", "t", { limit: 10 }), []);
  }));

  test(`${options.name}: renaming a database moves its tables and partitions; deleting takes them along`, withStore((s) => {
    s.createDatabase(C, "old", {});
    s.createDatabase(C, "taken", {});
    s.createTable(C, "old", "t", {});
    s.createPartitions(C, "old", "t", [{ values: ["x"], document: {} }]);
    assert.throws(() => s.updateDatabase(C, "old", "taken", {}), CatalogConflictError);
    assert.throws(() => s.updateDatabase(C, "nope", "nope", {}), CatalogNotFoundError);
    s.updateDatabase(C, "old", "new", { Description: "moved" });
    assert.equal(s.getDatabase(C, "old"), undefined);
    assert.deepEqual(s.getDatabase(C, "new"), { Description: "moved" });
    assert.deepEqual(s.getTable(C, "new", "t"), {});
    assert.deepEqual(s.getPartition(C, "new", "t", ["x"]), {});
    assert.equal(s.deleteDatabase(C, "new"), true);
    assert.equal(s.deleteDatabase(C, "new"), false);
    s.createDatabase(C, "new", {});
    assert.deepEqual(s.listTables(C, "new", { limit: 10 }), []);
    assert.equal(s.getPartition(C, "new", "t", ["x"]), undefined);
  }));

  test(`${options.name}: data survives reopening`, withStore((s, reopen) => {
    if (reopen === undefined) return;
    s.createDatabase(C, "db", { Description: "kept" });
    s.createTable(C, "db", "t", { Columns: [{ Name: "a", Type: "int" }] });
    s.close();
    const again = reopen();
    try {
      assert.deepEqual(again.getDatabase(C, "db"), { Description: "kept" });
      assert.deepEqual(again.getTable(C, "db", "t"), { Columns: [{ Name: "a", Type: "int" }] });
    } finally {
      again.close();
    }
  }));
}
