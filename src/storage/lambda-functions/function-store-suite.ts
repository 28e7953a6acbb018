import assert from "node:assert/strict";
import { test } from "node:test";
import { storeTests, type StoreSuiteOptions } from "../store-suite.js";
import { FunctionConflictError, type FunctionStore } from "./function-store.js";

/** How the suite gets a fresh store, and (optionally) the same data reopened. */
export type FunctionSuiteOptions = StoreSuiteOptions<FunctionStore>;

/** The contract every FunctionStore implementation must meet. */
export function runFunctionStoreSuite(options: FunctionSuiteOptions): void {
  const withStore = storeTests(options.create);

  test(`${options.name}: create once per account, get, update, delete`, withStore((s) => {
    s.create({ accountId: "a", name: "f", document: { v: 1 } });
    s.create({ accountId: "b", name: "f", document: { v: 2 } });
    assert.throws(() => s.create({ accountId: "a", name: "f", document: {} }), FunctionConflictError);
    assert.deepEqual(s.get("a", "f")?.document, { v: 1 });
    assert.equal(s.update("a", "f", { v: 3 }), true);
    assert.equal(s.update("a", "missing", {}), false);
    assert.deepEqual(s.get("a", "f")?.document, { v: 3 });
    assert.equal(s.delete("a", "f"), true);
    assert.equal(s.delete("a", "f"), false);
    assert.equal(s.get("a", "f"), undefined);
    assert.deepEqual(s.get("b", "f")?.document, { v: 2 });
  }));

  test(`${options.name}: list pages by name within an account; all spans accounts`, withStore((s) => {
    for (const n of ["c", "a", "b"]) s.create({ accountId: "x", name: n, document: {} });
    s.create({ accountId: "y", name: "z", document: {} });
    assert.deepEqual(s.list("x", { limit: 2 }).map((f) => f.name), ["a", "b"]);
    assert.deepEqual(s.list("x", { limit: 2, after: "b" }).map((f) => f.name), ["c"]);
    assert.deepEqual(s.all().map((f) => `${f.accountId}/${f.name}`), ["x/a", "x/b", "x/c", "y/z"]);
  }));

  test(`${options.name}: survives reopening`, withStore((s, reopen) => {
    if (reopen === undefined) return;
    s.create({ accountId: "a", name: "f", document: { Handler: "index.handler" } });
    s.close();
    const again = reopen();
    try {
      assert.deepEqual(again.get("a", "f")?.document, { Handler: "index.handler" });
    } finally {
      again.close();
    }
  }));
}
