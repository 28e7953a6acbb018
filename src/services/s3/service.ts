import { join } from "node:path";
import type { Service, ServiceDeps, ServiceResponse } from "../../server/service.js";
import { createFileBlobStore } from "../../storage/blobs/file-blob-store.js";
import { createSqliteObjectStore } from "../../storage/objects/sqlite-object-store.js";
import { BlobPins } from "./body/blob-pins.js";
import { actualRequestCorsHeaders, preflight } from "./cors/evaluate.js";
import { createS3InternalApi, type S3InternalApi } from "./internal-api.js";
import { renderS3Error, S3Error } from "./errors.js";
import { OPERATIONS } from "./ops/index.js";
import { isFormPost } from "./ops/post-object.js";
import { parseS3Request, type S3Env, type S3Request } from "./request.js";
import { resolveOperation } from "./router.js";

/** A browser-based upload: a multipart/form-data POST to a bucket itself, no sub-resource. */
const isBrowserUpload = (req: S3Request): boolean => req.bucket !== undefined && req.key === undefined && req.http.rawQuery === "" && isFormPost(req);

/** No extra headers (shared: most requests have no Origin). */
const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A response with extra headers added (they never replace the operation's own). */
function withHeaders(response: ServiceResponse, extra: Record<string, string>): ServiceResponse {
  if (extra === NO_HEADERS || Object.keys(extra).length === 0) return response;
  return { ...response, headers: { ...extra, ...response.headers } };
}

/** Amazon S3 (REST-XML) on the shared port; takes every request no other service claims. */
export function createS3Service(deps: ServiceDeps): Service & { readonly api: S3InternalApi } {
  const objects = createSqliteObjectStore(join(deps.config.dataDir, "meta", "s3.db"));
  const blobs = createFileBlobStore(join(deps.config.dataDir, "blobs"));
  const pins = new BlobPins(blobs, deps.logger);
  const base = { objects, blobs, pins, config: deps.config, accessKeys: deps.accessKeys };

  /**
   * The one place actual (non-preflight) requests get their CORS headers, successes and errors
   * alike, when they carry an Origin that one of the bucket's rules allows.
   */
  const corsFor = (req: S3Request): Record<string, string> => {
    if (req.http.method === "OPTIONS" || req.http.headers["origin"] === undefined) return NO_HEADERS;
    try {
      return actualRequestCorsHeaders(objects, req.bucket, req.http.method, req.http.headers["origin"]);
    } catch {
      return {}; // a bucket name the store cannot look up has no rules
    }
  };

  return {
    name: "s3",
    api: createS3InternalApi({ objects, blobs, pins, clock: deps.clock }),
    signingNames: ["s3"],
    targetPrefixes: [],
    allowsAnonymous: true,
    // Small bodies (<= 64 KiB, plain payload hash) are read whole and checked once, without the
    // verifier stream: PutObject stores them inline whole anyway; other operations stream them.
    // Larger bodies stream, never held whole (an object or part can be up to 5 GiB).
    readsSmallBodiesWhole: true,
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
      // A CORS preflight is never signed: anyone may ask what the bucket's CORS rules allow.
      if (http.method === "OPTIONS") return preflight(req, env);
      // No bucket policies or ACLs yet: an anonymous request is refused, except a browser POST
      // upload, which the signed policy inside its form authenticates (PostObject checks it).
      if (ctx.principal.authType === "anonymous" && !isBrowserUpload(req)) throw new S3Error("AccessDenied");
      const operation = resolveOperation(req);
      const handler = OPERATIONS[operation];
      if (handler === undefined) throw new S3Error("NotImplemented", `Streamlake does not implement ${operation} yet.`);
      return withHeaders(await handler(req, env), corsFor(req));
    },
    renderError(err, http, ctx) {
      let resource: string | undefined;
      let cors = NO_HEADERS;
      if (http !== undefined) {
        try {
          const req = parseS3Request(http, deps.config.baseDomains);
          resource = req.resource;
          cors = corsFor(req);
        } catch {
          resource = http.rawPath;
        }
      }
      return withHeaders(renderS3Error(err, resource, ctx), cors);
    },
  };
}
