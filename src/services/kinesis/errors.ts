import { AuthError } from "../../protocols/auth-error.js";
import { encodeCbor } from "../../protocols/cbor/cbor.js";
import { jsonAuthError } from "../../protocols/json/auth-errors.js";
import type { RequestContext, ServiceRequest, ServiceResponse } from "../../server/service.js";
import { httpDate } from "../../util/http-date.js";

/** Every error code Kinesis answers with. */
export type KinesisErrorCode =
  | "AccessDeniedException"
  | "ExpiredIteratorException"
  | "ExpiredNextTokenException"
  | "ExpiredTokenException"
  | "IncompleteSignatureException"
  | "InternalFailure"
  | "InvalidArgumentException"
  | "InvalidSignatureException"
  | "LimitExceededException"
  | "MissingAuthenticationTokenException"
  | "ProvisionedThroughputExceededException"
  | "RequestEntityTooLargeException"
  | "ResourceInUseException"
  | "ResourceNotFoundException"
  | "SerializationException"
  | "UnknownOperationException"
  | "UnrecognizedClientException"
  | "ValidationException";

/** HTTP status and default message per code (AWS JSON services answer 400 for client errors). */
export const kinesisErrors: Readonly<Record<KinesisErrorCode, { readonly status: number; readonly message: string }>> = {
  AccessDeniedException: { status: 400, message: "Access denied." },
  ExpiredIteratorException: { status: 400, message: "Iterator expired." },
  ExpiredNextTokenException: { status: 400, message: "The pagination token passed to the operation is expired." },
  ExpiredTokenException: { status: 400, message: "The security token included in the request is expired" },
  IncompleteSignatureException: { status: 400, message: "The request signature does not conform to AWS standards." },
  InternalFailure: { status: 500, message: "The request processing has failed because of an unknown error, exception or failure." },
  InvalidArgumentException: { status: 400, message: "Invalid argument." },
  InvalidSignatureException: {
    status: 400,
    message:
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  },
  LimitExceededException: { status: 400, message: "Limit exceeded." },
  MissingAuthenticationTokenException: { status: 400, message: "Missing Authentication Token" },
  ProvisionedThroughputExceededException: { status: 400, message: "Rate exceeded for shard." },
  RequestEntityTooLargeException: { status: 413, message: "Request entity too large." },
  ResourceInUseException: { status: 400, message: "Resource in use." },
  ResourceNotFoundException: { status: 400, message: "Resource not found." },
  SerializationException: { status: 400, message: "Unable to parse the request body." },
  UnknownOperationException: { status: 400, message: "Unknown operation." },
  UnrecognizedClientException: { status: 400, message: "The security token included in the request is invalid." },
  ValidationException: { status: 400, message: "Validation failed." },
};

/** A Kinesis wire error: code, message, HTTP status from the table. */
export class KinesisError extends Error {
  override readonly name = "KinesisError";
  readonly status: number;
  constructor(
    readonly code: KinesisErrorCode,
    message?: string,
  ) {
    super(message ?? kinesisErrors[code].message);
    this.status = kinesisErrors[code].status;
  }
}

/** Which body encoding the client asked for: CBOR (Java SDK) or JSON 1.1 (everyone else). */
export type WireFormat = "json" | "cbor";

export const JSON_CONTENT_TYPE = "application/x-amz-json-1.1";
export const CBOR_CONTENT_TYPE = "application/x-amz-cbor-1.1";

/** The format a request's content-type selects; responses and errors answer in kind. */
export function wireFormatOf(req: ServiceRequest | undefined): WireFormat {
  const ct = req?.headers["content-type"] ?? "";
  return ct.trim().toLowerCase().startsWith("application/x-amz-cbor") ? "cbor" : "json";
}

/** Headers every Kinesis answer carries. */
export function responseHeaders(format: WireFormat, ctx: RequestContext): Record<string, string> {
  return {
    "content-type": format === "cbor" ? CBOR_CONTENT_TYPE : JSON_CONTENT_TYPE,
    "x-amzn-requestid": ctx.requestId,
    "x-amz-id-2": ctx.extendedRequestId,
    // The server's own time, so SDKs that correct clock skew from Date (the JS SDK does) agree with our clock.
    date: httpDate(ctx.clock.now()),
  };
}

/** Anything thrown -> a KinesisError (unknown failures become InternalFailure). */
export function toKinesisError(err: unknown, now: number): KinesisError {
  if (err instanceof KinesisError) return err;
  if (err instanceof AuthError) {
    const mapped = jsonAuthError(err, now, { skewWindowFromError: true });
    return new KinesisError(mapped.code, mapped.message);
  }
  return new KinesisError("InternalFailure");
}

/** Renders an error as `{"__type": code, "message": ...}` in the request's wire format. */
export function renderKinesisError(err: unknown, req: ServiceRequest | undefined, ctx: RequestContext): ServiceResponse {
  const e = toKinesisError(err, ctx.clock.now());
  const format = wireFormatOf(req);
  // SerializationException spells its message member with a capital M (as the service does).
  const payload = e.code === "SerializationException" ? { __type: e.code, Message: e.message } : { __type: e.code, message: e.message };
  return {
    status: e.status,
    headers: responseHeaders(format, ctx),
    body: format === "cbor" ? encodeCbor(payload) : JSON.stringify(payload),
  };
}
