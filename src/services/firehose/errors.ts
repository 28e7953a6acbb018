import { AuthError } from "../../protocols/auth-error.js";
import type { RequestContext, ServiceResponse } from "../../server/service.js";

// Codes from the Firehose API reference ("Errors" of each action and "Common Errors").
const TABLE = {
  AccessDeniedException: [400, "Access denied."],
  ConcurrentModificationException: [400, "Another modification has already happened."],
  ExpiredTokenException: [400, "The security token included in the request is expired"],
  IncompleteSignatureException: [400, "The request signature does not conform to AWS standards."],
  InternalFailure: [500, "The request processing has failed because of an unknown error, exception or failure."],
  InvalidArgumentException: [400, "Invalid argument."],
  InvalidKMSResourceException: [400, "Invalid KMS resource."],
  InvalidSignatureException: [
    400,
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  ],
  InvalidSourceException: [400, "Invalid source."],
  LimitExceededException: [400, "Limit exceeded."],
  MissingAuthenticationTokenException: [400, "Missing Authentication Token"],
  ResourceInUseException: [400, "Resource in use."],
  ResourceNotFoundException: [400, "Resource not found."],
  SerializationException: [400, "Unable to parse the request body."],
  ServiceUnavailableException: [503, "Slow down."],
  UnknownOperationException: [400, "Unknown operation."],
  UnrecognizedClientException: [400, "The security token included in the request is invalid."],
  ValidationException: [400, "Validation failed."],
} as const satisfies Record<string, readonly [number, string]>;

/** Every error code Firehose answers with. */
export type FirehoseErrorCode = keyof typeof TABLE;

/** A Firehose wire error: code, message, HTTP status from the table. */
export class FirehoseError extends Error {
  override readonly name = "FirehoseError";
  readonly status: number;
  constructor(
    readonly code: FirehoseErrorCode,
    message?: string,
  ) {
    super(message ?? TABLE[code][1]);
    this.status = TABLE[code][0];
  }
}

function basicIso(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** Maps the server's S3-named authentication failures to the codes the JSON services answer with. */
function fromAuthError(err: AuthError, now: number): FirehoseError {
  switch (err.code) {
    case "InvalidAccessKeyId":
      return new FirehoseError("UnrecognizedClientException");
    case "RequestTimeTooSkewed":
      // JSON services word clock skew as an expired signature.
      return new FirehoseError("InvalidSignatureException", `Signature expired: the request time is too far from ${basicIso(now)}.`);
    case "ExpiredToken":
      return new FirehoseError("ExpiredTokenException");
    case "AccessDenied":
      return new FirehoseError("MissingAuthenticationTokenException");
    case "AuthorizationHeaderMalformed":
    case "AuthorizationQueryParametersError":
    case "InvalidArgument":
    case "MissingSecurityHeader":
      return new FirehoseError("IncompleteSignatureException", err.message);
    default:
      return new FirehoseError("InvalidSignatureException");
  }
}

export const JSON_CONTENT_TYPE = "application/x-amz-json-1.1";

/** Headers every Firehose answer carries. */
export function responseHeaders(ctx: RequestContext): Record<string, string> {
  return { "content-type": JSON_CONTENT_TYPE, "x-amzn-requestid": ctx.requestId, "x-amz-id-2": ctx.extendedRequestId };
}

/** Anything thrown -> a FirehoseError (unknown failures become InternalFailure, logged with the request id). */
export function toFirehoseError(err: unknown, ctx: RequestContext): FirehoseError {
  if (err instanceof FirehoseError) return err;
  if (err instanceof AuthError) return fromAuthError(err, ctx.clock.now());
  ctx.logger.error("firehose: request failed", { requestId: ctx.requestId, err: String((err as Error)?.stack ?? err) });
  return new FirehoseError("InternalFailure");
}

/** Renders an error as `{"__type": code, "message": ...}`. */
export function renderFirehoseError(err: unknown, ctx: RequestContext): ServiceResponse {
  const e = toFirehoseError(err, ctx);
  // SerializationException spells its message member with a capital M, as the JSON services do.
  const payload = e.code === "SerializationException" ? { __type: e.code, Message: e.message } : { __type: e.code, message: e.message };
  return { status: e.status, headers: responseHeaders(ctx), body: JSON.stringify(payload) };
}
