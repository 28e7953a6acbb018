import { join } from "node:path";
import type { Service, ServiceDeps } from "../../server/service.js";
import type { CatalogStore } from "../../storage/catalog/catalog-store.js";
import { createSqliteCatalogStore } from "../../storage/catalog/sqlite-catalog-store.js";
import { glueName, readTable } from "./catalog.js";
import { renderGlueError } from "./errors.js";
import type { GlueInternalApi } from "./internal-api.js";
import { routeGlueRequest, TARGET_PREFIX } from "./router.js";

/** Overrides for tests. */
export interface GlueServiceOverrides {
  /** Another catalog store (default: SQLite at <data-dir>/meta/glue.db). */
  readonly store?: CatalogStore;
}

/**
 * The Glue Data Catalog subset on the shared listener (JSON 1.1, `X-Amz-Target: AWSGlue.*`):
 * databases, tables and partitions, kept in SQLite. Also returns the internal API other
 * services use to read table schemas.
 */
export function createGlueService(deps: ServiceDeps, overrides: GlueServiceOverrides = {}): Service & { readonly api: GlueInternalApi } {
  const store = overrides.store ?? createSqliteCatalogStore(join(deps.config.dataDir, "meta", "glue.db"));
  const api: GlueInternalApi = {
    getTable(accountId, database, table) {
      const db = glueName(database);
      const doc = store.getTable(accountId, db, glueName(table));
      return doc === undefined ? undefined : readTable(doc, accountId, db);
    },
  };
  return {
    name: "glue",
    signingNames: ["glue"],
    targetPrefixes: [TARGET_PREFIX],
    allowsAnonymous: false,
    api,
    handle: (req, ctx) => routeGlueRequest(store, req, ctx),
    renderError: (err, req, ctx) => renderGlueError(err, req, ctx),
    async stop() {
      store.close();
    },
  };
}
