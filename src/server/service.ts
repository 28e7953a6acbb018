import type { Readable } from "node:stream";
import type { AccessKey } from "../storage/identity/identity-store.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { Supervisor } from "../workers/supervisor.js";
import type { Config } from "./config.js";

/** A request as a service sees it: parsed once by the server, body already authenticated. */
export interface ServiceRequest {
  /** HTTP method, upper case. */
  readonly method: string;
  /** The path exactly as received, still percent-encoded, without the query string. */
  readonly rawPath: string;
  /** The query string exactly as received, without the leading '?'. */
  readonly rawQuery: string;
  /** Header names lower-cased; repeated headers joined with ','. */
  readonly headers: Readonly<Record<string, string>>;
  /** The Host (or :authority) header, lower-cased, without the port. */
  readonly hostname: string;
  /**
   * The body as the client meant it: aws-chunked framing removed, and every signature and
   * payload hash checked while it streams (the stream errors with an AuthError on mismatch).
   */
  readonly body: Readable;
  /**
   * The body read whole and checked as `body` is, when the server read it so (small bodies of a
   * service that `readsBodiesWhole` or `readsSmallBodiesWhole`); read either this or `body`, not both.
   */
  readonly wholeBody?: (() => Promise<Buffer>) | undefined;
  /** Trailing headers (x-amz-checksum-*), filled in once `body` has ended. */
  readonly trailers: Readonly<Record<string, string>>;
  /** "1.1" or "2.0". */
  readonly httpVersion: string;
}

/** Who made the request, as established by the server's authentication. */
export interface Principal {
  /** The access key that signed the request, or undefined for anonymous requests. */
  readonly accessKeyId: string | undefined;
  /** The 12-digit account the principal belongs to. */
  readonly accountId: string;
  /** ARN of the principal (root: arn:aws:iam::<account>:root). */
  readonly arn: string;
  /** S3 canonical user id of the owning account (64 hex chars). */
  readonly canonicalUserId: string;
  /** S3 owner display name. */
  readonly displayName: string;
  /** How the request was authenticated. */
  readonly authType: "sigv4" | "sigv4-presigned" | "sigv2" | "sigv2-presigned" | "anonymous";
}

/** Per-request facts handed to an operation. */
export interface RequestContext {
  /** The id returned in x-amz-request-id / x-amzn-RequestId and logged with errors. */
  readonly requestId: string;
  /** A second, longer id (S3's x-amz-id-2). */
  readonly extendedRequestId: string;
  readonly principal: Principal;
  /** The region the request is served in (from config; the signing scope must agree). */
  readonly region: string;
  /** Aborted when the client goes away or the server shuts down. */
  readonly signal: AbortSignal;
  /**
   * The same abort state as `signal`, watched without making an AbortSignal (which costs several
   * µs per request). Absent in contexts built outside the server's dispatcher.
   */
  readonly abort?: AbortHook;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A request's abort state, as `RequestContext.signal` has it, watched cheaply. */
export interface AbortHook {
  /** Whether `signal` is aborted (or would be, were it made now). */
  readonly aborted: boolean;
  /** Why, once aborted (the signal's reason). */
  readonly reason: unknown;
  /**
   * Calls `listener` once when the request aborts, as an 'abort' listener on `signal` would be
   * (never when it is already aborted); returns the function that removes it.
   */
  onAbort(listener: (reason: Error) => void): () => void;
}

/** What a service answers; the server writes it (piping a Readable body with back-pressure). */
export interface ServiceResponse {
  status: number;
  headers?: Record<string, string | number | readonly string[]>;
  body?: string | Uint8Array | Readable;
}

/**
 * The contract every AWS service plugs into the server with (cf. Garage's ApiHandler).
 * The server routes on the SigV4 credential scope first, then X-Amz-Target, then falls back to S3.
 */
export interface Service {
  /** Short name, e.g. "s3", "kinesis". */
  readonly name: string;
  /** Names clients put in the SigV4 credential scope for this service (e.g. ["kinesis"]). */
  readonly signingNames: readonly string[];
  /** X-Amz-Target prefixes, the part before the '.', e.g. ["Kinesis_20131202"]. */
  readonly targetPrefixes: readonly string[];
  /** True if unauthenticated requests reach `handle` (S3: presigned POST, public buckets). */
  readonly allowsAnonymous: boolean;
  /**
   * True if every operation reads its (bounded, JSON) body whole before acting on it: the server
   * may then hold a large body back until its payload hash is checked, off the main thread.
   */
  readonly readsBodiesWhole?: boolean;
  /**
   * True if the service takes small bodies (<= 64 KiB, see whole-body.ts) read whole and checked
   * once, as `wholeBody`, while larger ones (S3 objects, up to 5 GiB) stream through as always.
   */
  readonly readsSmallBodiesWhole?: boolean;
  /**
   * Whether the service wants the raw request body unverified for a payload the server cannot
   * check by itself (S3 browser POST uploads carry their signature inside the form).
   */
  handle(req: ServiceRequest, ctx: RequestContext): Promise<ServiceResponse>;
  /** Turns any thrown value (its own error, an AuthError, anything else) into its wire error. */
  renderError(err: unknown, req: ServiceRequest | undefined, ctx: RequestContext): ServiceResponse;
  /** Starts background work (workers); called once before the server listens. */
  start?(): Promise<void>;
  /** Stops background work and closes stores; called once at shutdown. */
  stop?(): Promise<void>;
}

/** Reads access keys (never writes them). */
export interface AccessKeyLookup {
  /** The key with this id, active or not, or undefined. */
  getAccessKey(accessKeyId: string): AccessKey | undefined;
}

/** What a service factory receives. */
export interface ServiceDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * For the one signature the server cannot check before the service runs: an S3 browser POST
   * upload signs its policy, a field inside the multipart/form-data body.
   */
  readonly accessKeys: AccessKeyLookup;
  /**
   * The server's supervisor: a service registers its background workers here when it starts, so
   * they are listed (GET /_streamlake/workers) and stopped together. A service built alone (unit
   * tests) gets none and runs its workers under one of its own.
   */
  readonly workers?: Supervisor;
}
