import type { Readable } from "node:stream";
import { createBodyVerifier, type HttpRequestParts, type PayloadCheck } from "../protocols/sigv4/index.js";
import type { Clock } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { anonymousPrincipal } from "./principal.js";
import { pipeBody } from "./pipe-body.js";
import type { RequestSignal } from "./request-signal.js";
import type { Principal, RequestContext, ServiceRequest } from "./service.js";
import { readableOf } from "./whole-body.js";

// The request and its context are class instances, not object literals: a literal with a getter
// is a dictionary-mode object in V8 (slow to make, and every property read of it a hash lookup).

const NO_TRAILERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * A request as authentication and the services see it. Its `body` is made when first read:
 * most requests (every GET) never read it, and a verifier Transform with its hash and listeners
 * costs ~5 µs.
 */
export class IncomingRequest implements ServiceRequest, HttpRequestParts {
  /** Empty until authentication says where trailing headers go (`verifyBody`, `readWhole`). */
  trailers: Readonly<Record<string, string>> = NO_TRAILERS;
  wholeBody: (() => Promise<Buffer>) | undefined = undefined;
  readonly #raw: Readable;
  #verified: Readable | undefined = undefined;
  #payload: PayloadCheck | undefined = undefined;
  #trailers: Record<string, string> | undefined = undefined;
  #wholeBodyBytes: number | undefined = undefined;
  #whole: Promise<Buffer> | undefined = undefined;

  constructor(
    raw: Readable,
    readonly method: string,
    readonly rawPath: string,
    readonly rawQuery: string,
    readonly headers: Readonly<Record<string, string>>,
    readonly hostname: string,
    readonly virtualHostBucket: string | undefined,
    readonly httpVersion: string,
  ) {
    this.#raw = raw;
  }

  /** The body as read so far: the raw request until authentication sets how it is checked. */
  get body(): Readable {
    if (this.#verified === undefined) {
      if (this.#whole !== undefined) this.#verified = readableOf(this.#whole);
      else if (this.#payload !== undefined && this.#trailers !== undefined) {
        const body = createBodyVerifier(this.#payload, this.#trailers, { wholeBodyBytes: this.#wholeBodyBytes });
        pipeBody(this.#raw, body);
        this.#verified = body;
      } else this.#verified = this.#raw;
    }
    return this.#verified;
  }

  /** The body streams through a verifier of `payload`, which fills `trailers` once it has ended. */
  verifyBody(payload: PayloadCheck, trailers: Record<string, string>, wholeBodyBytes: number | undefined): void {
    this.#payload = payload;
    this.#trailers = trailers;
    this.trailers = trailers;
    this.#wholeBodyBytes = wholeBodyBytes;
  }

  /** The body was read whole (and is checked) by `whole`; `body` streams those bytes. */
  readWhole(whole: Promise<Buffer>, trailers: Record<string, string>): void {
    this.#whole = whole;
    this.trailers = trailers;
    this.wholeBody = () => whole;
  }
}

/** One request's context; the principal is filled in by authentication. */
export class IncomingContext implements RequestContext {
  principal: Principal = anonymousPrincipal;

  constructor(
    readonly requestId: string,
    readonly extendedRequestId: string,
    readonly region: string,
    readonly abort: RequestSignal,
    readonly clock: Clock,
    readonly logger: Logger,
  ) {}

  /**
   * Made on first use. A getter on the prototype: a copy made by spreading the context (`{ ...ctx }`)
   * does not carry it, so such a copy must name `signal: ctx.signal` itself.
   */
  get signal(): AbortSignal {
    return this.abort.signal;
  }
}
