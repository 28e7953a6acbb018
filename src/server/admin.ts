import type http from "node:http";
import type http2 from "node:http2";
import type { OffsetClock } from "../util/clock.js";
import type { WorkerInfo } from "../workers/supervisor.js";
import type { ServiceResponse } from "./service.js";

export interface AdminDeps {
  readonly version: string;
  readonly services: readonly string[];
  /** Present when clock control is enabled (tests only). */
  readonly clock: OffsetClock | undefined;
  readonly ready: () => boolean;
  /** The background workers running now and their state. */
  readonly workers: () => readonly WorkerInfo[];
}

const json = (status: number, body: unknown): ServiceResponse => ({
  status,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/**
 * The server's own endpoints under /_streamlake/: `GET health` for scripts waiting on start-up,
 * `GET workers` listing the background workers and their state, and (only when enabled) `POST clock?advanceMs=N` to move the injected clock in tests.
 * Not a valid S3 path: bucket names cannot start with '_'.
 */
export function createAdminHandler(deps: AdminDeps) {
  return (req: http.IncomingMessage | http2.Http2ServerRequest, path: string): ServiceResponse | undefined => {
    if (path === "/_streamlake/health") {
      req.resume();
      if (!deps.ready()) return json(503, { status: "starting" });
      return json(200, { status: "ok", version: deps.version, services: deps.services });
    }
    if (path === "/_streamlake/workers" && (req.method === "GET" || req.method === "HEAD")) {
      req.resume();
      return json(200, { workers: deps.workers() });
    }
    if (path === "/_streamlake/clock" && deps.clock !== undefined) {
      req.resume();
      if (req.method === "POST") {
        const advance = Number(new URL(req.url ?? "/", "http://x").searchParams.get("advanceMs") ?? "0");
        if (!Number.isFinite(advance) || advance < 0) return json(400, { error: "advanceMs must be a non-negative number" });
        deps.clock.advance(advance);
      }
      return json(200, { now: deps.clock.now(), offsetMs: deps.clock.offset });
    }
    return undefined;
  };
}
