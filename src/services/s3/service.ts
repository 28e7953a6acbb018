import { join } from "node:path";
import type { Service, ServiceDeps } from "../../server/service.js";
import { createFileBlobStore } from "../../storage/blobs/file-blob-store.js";
import { createSqliteObjectStore } from "../../storage/objects/sqlite-object-store.js";
import { BlobPins } from "./body/blob-pins.js";
import { createS3InternalApi, type S3InternalApi } from "./internal-api.js";
import { renderS3Error, S3Error } from "./errors.js";
import { OPERATIONS } from "./ops/index.js";
import { parseS3Request, type S3Env } from "./request.js";
import { resolveOperation } from "./router.js";

/** Amazon S3 (REST-XML) on the shared port; takes every request no other service claims. */
export function createS3Service(deps: ServiceDeps): Service & { readonly api: S3InternalApi } {
  const objects = createSqliteObjectStore(join(deps.config.dataDir, "meta", "s3.db"));
  const blobs = createFileBlobStore(join(deps.config.dataDir, "blobs"));
  const pins = new BlobPins(blobs, deps.logger);
  const base = { objects, blobs, pins, config: deps.config };

  return {
    name: "s3",
    api: createS3InternalApi({ objects, blobs, pins, clock: deps.clock }),
    signingNames: ["s3"],
    targetPrefixes: [],
    allowsAnonymous: true,
    async start() {
      // Before the first request: nothing can be mid-write, so every unreferenced file is litter.
      const removed = await blobs.sweep((id) => objects.isBlobReferenced(id));
      if (removed > 0) deps.logger.info("swept files left by an earlier crash", { removed });
    },
    async stop() {
      await objects.close();
    },
    async handle(http, ctx) {
      const req = parseS3Request(http, deps.config.baseDomains);
      const env: S3Env = { ...base, ctx };
      if (ctx.principal.authType === "anonymous") {
        // No bucket policies or ACLs yet: an anonymous request is never allowed.
        throw new S3Error("AccessDenied");
      }
      const operation = resolveOperation(req);
      const handler = OPERATIONS[operation];
      if (handler === undefined) throw new S3Error("NotImplemented", `Streamlake does not implement ${operation} yet.`);
      return handler(req, env);
    },
    renderError(err, http, ctx) {
      let resource: string | undefined;
      if (http !== undefined) {
        try {
          resource = parseS3Request(http, deps.config.baseDomains).resource;
        } catch {
          resource = http.rawPath;
        }
      }
      return renderS3Error(err, resource, ctx);
    },
  };
}
