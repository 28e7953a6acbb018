import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runFunctionStoreSuite } from "./function-store-suite.js";
import { createSqliteFunctionStore } from "./sqlite-function-store.js";

runFunctionStoreSuite({
  name: "sqlite",
  create: () => {
    const dir = mkdtempSync(join(tmpdir(), "lambda-fns-"));
    const path = join(dir, "lambda.db");
    return { store: createSqliteFunctionStore(path), reopen: () => createSqliteFunctionStore(path), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  },
});
