import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCatalogStoreSuite } from "./catalog-store-suite.js";
import { createSqliteCatalogStore } from "./sqlite-catalog-store.js";

runCatalogStoreSuite({
  name: "sqlite",
  create: () => {
    const dir = mkdtempSync(join(tmpdir(), "catalog-"));
    const path = join(dir, "glue.db");
    return {
      store: createSqliteCatalogStore(path),
      reopen: () => createSqliteCatalogStore(path),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

runCatalogStoreSuite({ name: "sqlite in memory", create: () => ({ store: createSqliteCatalogStore(":memory:") }) });
