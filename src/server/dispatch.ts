import type http from "node:http";
import type http2 from "node:http2";
import type { Readable } from "node:stream";
import { AuthError } from "../protocols/auth-error.js";
import type { IdentityStore } from "../storage/identity/identity-store.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { authenticateRequest } from "./auth.js";
import type { Config } from "./config.js";
import { IncomingContext, IncomingRequest } from "./incoming-request.js";
import { newExtendedRequestId, newRequestId } from "./request-ids.js";
import { RequestSignal } from "./request-signal.js";
import { createRouter } from "./route.js";
import type { Service, ServiceResponse } from "./service.js";
import { readWholeBody, WHOLE_BODY_MAX_BYTES, wholeBodyCheckable } from "./whole-body.js";
import { writeResponse } from "./write-response.js";

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

export interface DispatchDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly services: readonly Service[];
  readonly identities: IdentityStore;
  /** Aborted when the server begins shutting down. */
  readonly shutdown: AbortSignal;
  /** Answers /_streamlake/* admin and health requests; undefined when the path is not one. */
  readonly admin: (req: Req, path: string) => ServiceResponse | Promise<ServiceResponse> | undefined;
}

/**
 * Lower-cased, joined headers without HTTP/2 pseudo-headers, except `:authority` when the
 * client signed it: the AWS SDKs' HTTP/2 handlers send `:authority` instead of Host and list it
 * in SignedHeaders. Otherwise an HTTP/2 request's `:authority` stands in for the Host header.
 */
function flattenHeaders(req: Req, rawQuery: string, isH2: boolean): Readonly<Record<string, string>> {
  const all = req.headers;
  // HTTP/1.1: Node's own header object already is that (lower-cased, repeats joined, and no
  // pseudo-headers); only Set-Cookie can be an array in it.
  if (!isH2 && all["set-cookie"] === undefined) return all as Readonly<Record<string, string>>;
  const out: Record<string, string> = {};
  for (const name in all) {
    const value = all[name];
    if (value === undefined || name.startsWith(":")) continue;
    out[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const authority = (req.headers as Record<string, string | string[] | undefined>)[":authority"];
  if (out["host"] === undefined && typeof authority === "string") {
    const signed = /SignedHeaders=([^,\s]*)/.exec(out["authorization"] ?? "")?.[1] ?? /(?:^|&)X-Amz-SignedHeaders=([^&]*)/.exec(rawQuery)?.[1];
    const names = signed === undefined ? [] : signed.replace(/%3a/gi, ":").replace(/%3b/gi, ";").split(";");
    if (names.includes(":authority")) out[":authority"] = authority;
    else out["host"] = authority;
  }
  return out;
}

function hostnameOf(host: string | undefined): string {
  if (host === undefined) return "";
  const h = host.toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.lastIndexOf(":");
  return colon === -1 ? h : h.slice(0, colon);
}

/** Which bucket a virtual-hosted-style Host names, if any. */
export function virtualHostBucket(hostname: string, baseDomains: readonly string[]): string | undefined {
  for (const domain of baseDomains) {
    if (hostname.length > domain.length + 1 && hostname.endsWith("." + domain)) {
      return hostname.slice(0, hostname.length - domain.length - 1);
    }
  }
  return undefined;
}

/** Bodies up to this size are read and dropped before an error answer, keeping the connection. */
const DRAIN_LIMIT = 1 << 20;

/** Reads and discards the rest of a small request body; false when it is too big, unknown or too slow. */
async function drainSmallBody(req: Req, headers: Readonly<Record<string, string>>): Promise<boolean> {
  const declared = Number(headers["content-length"] ?? Number.NaN);
  if (!(declared <= DRAIN_LIMIT) || req.destroyed) return false;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => finish(false), 5_000);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      req.removeListener("end", onEnd);
      req.removeListener("close", onClose);
      resolve(ok);
    };
    const onEnd = (): void => finish(true);
    const onClose = (): void => finish(req.complete);
    req.on("end", onEnd);
    req.on("close", onClose);
    // Stop feeding the body verifier nobody reads any more, then let the bytes fall away.
    req.unpipe();
    req.resume();
  });
}

/** The server's request handler: ids, admin paths, routing, authentication, the service, errors. */
export function createDispatcher(deps: DispatchDeps): {
  handle: (req: Req, res: Res) => void;
  inFlight: () => number;
  /** Resolves once no request is being handled (its clean-up included). */
  idle: () => Promise<void>;
} {
  const route = createRouter(deps.services);
  let inFlight = 0;
  let waiters: Array<() => void> = [];

  async function serve(req: Req, res: Res): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const rawPath = q === -1 ? url : url.slice(0, q);
    const rawQuery = q === -1 ? "" : url.slice(q + 1);
    const isH2 = req.httpVersionMajor === 2;
    const isHead = req.method === "HEAD";

    const admin = rawPath.startsWith("/_streamlake/") ? await deps.admin(req, rawPath) : undefined;
    if (admin !== undefined) {
      await writeResponse(res, admin, isHead, isH2);
      return;
    }

    const headers = flattenHeaders(req, rawQuery, isH2);
    const hostname = hostnameOf(headers["host"] ?? headers[":authority"]);
    // The request as known before authentication (so that a refusal still names its Resource);
    // authentication then sets how its body is checked.
    const sreq = new IncomingRequest(
      req as unknown as Readable,
      req.method ?? "GET",
      rawPath,
      rawQuery,
      headers,
      hostname,
      virtualHostBucket(hostname, deps.config.baseDomains),
      isH2 ? "2.0" : "1.1",
    );
    const abort = new RequestSignal(res, deps.shutdown);
    const requestId = newRequestId();
    const ctx = new IncomingContext(requestId, newExtendedRequestId(), deps.config.region, abort, deps.clock, deps.logger);
    const service = route(sreq);
    if (service === undefined) {
      req.resume();
      await writeResponse(
        res,
        {
          status: 400,
          headers: { "content-type": "application/xml", "x-amz-request-id": requestId },
          body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidRequest</Code><Message>This server does not implement the service the request was signed for.</Message><RequestId>${requestId}</RequestId></Error>`,
        },
        isHead,
        isH2,
      );
      return;
    }

    let response: ServiceResponse;
    try {
      const auth = authenticateRequest(sreq, deps.identities, deps.config.region, deps.clock.now());
      ctx.principal = auth.principal;
      if (auth.principal.authType === "anonymous" && !service.allowsAnonymous) {
        // Services that never take anonymous requests still render the refusal themselves.
        throw new AuthError("AccessDenied", "Access Denied");
      }
      const wholeAll = service.readsBodiesWhole === true;
      const declared = wholeAll || service.readsSmallBodiesWhole === true ? Number(headers["content-length"] ?? Number.NaN) : Number.NaN;
      if (!isH2 && Number.isSafeInteger(declared) && declared <= WHOLE_BODY_MAX_BYTES && wholeBodyCheckable(auth.payload)) {
        // A small body its service reads whole anyway (a GetRecords poll): read straight from the
        // request and checked once in. Read at once, as below, so a signature over it is always checked.
        const whole = readWholeBody(req as unknown as Readable, auth.payload);
        whole.catch(() => undefined); // the error surfaces where the body is read
        sreq.readWhole(whole, auth.trailers);
      } else {
        sreq.verifyBody(auth.payload, auth.trailers, wholeAll && Number.isSafeInteger(declared) ? declared : undefined);
        // A signature that covers the body itself is checked as the body streams through: always read it.
        if (auth.payload.type === "signature-after-body") void sreq.body;
      }
      response = await service.handle(sreq, ctx);
    } catch (err) {
      response = service.renderError(err, sreq, ctx);
      if (response.status >= 500) deps.logger.error("request failed", { requestId, service: service.name, err: String((err as Error)?.stack ?? err) });
      // A client still sending only reads our answer once its body is out: take in a small
      // remainder before answering; past the limit, answer and close the connection.
      if (!req.complete && !(await drainSmallBody(req, headers))) {
        req.resume();
        if (!isH2) res.setHeader("connection", "close");
      }
    }
    try {
      const writing = writeResponse(res, response, isHead, isH2);
      if (writing !== undefined) await writing;
    } catch (err) {
      if (!abort.aborted) deps.logger.warn("response stream failed", { requestId, err: String(err) });
      res.destroy();
    }
  }

  const finished = (): void => {
    if (--inFlight > 0) return;
    const done = waiters;
    waiters = [];
    for (const w of done) w();
  };

  return {
    inFlight: () => inFlight,
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
    handle(req, res) {
      inFlight++;
      serve(req, res).then(
        () => finished(),
        (err: unknown) => {
          try {
            deps.logger.error("unhandled request error", { err: String((err as Error)?.stack ?? err) });
            if (!res.headersSent) {
              res.statusCode = 500;
              res.end();
            } else res.destroy();
          } finally {
            finished();
          }
        },
      );
    },
  };
}
