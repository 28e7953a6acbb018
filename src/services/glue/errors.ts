import { AuthError } from "../../protocols/auth-error.js";
import { jsonAuthError } from "../../protocols/json/auth-errors.js";
import type { RequestContext, ServiceRequest, ServiceResponse } from "../../server/service.js";

/** Every error code Glue answers with here. */
export type GlueErrorCode =
  | "AccessDeniedException"
  | "AlreadyExistsException"
  | "ConcurrentModificationException"
  | "EntityNotFoundException"
  | "ExpiredTokenException"
  | "IncompleteSignatureException"
  | "InternalServiceException"
  | "InvalidInputException"
  | "InvalidSignatureException"
  | "MissingAuthenticationTokenException"
  | "ResourceNumberLimitExceededException"
  | "SerializationException"
  | "UnknownOperationException"
  | "UnrecognizedClientException"
  | "ValidationException";

/** HTTP status, default message, and whether the body spells its member `Message` (Glue's modelled errors) or `message`. */
export const glueErrors: Readonly<Record<GlueErrorCode, { readonly status: number; readonly message: string; readonly modelled: boolean }>> = {
  AccessDeniedException: { status: 400, message: "Access denied.", modelled: true },
  AlreadyExistsException: { status: 400, message: "Already exists.", modelled: true },
  ConcurrentModificationException: { status: 400, message: "Concurrent modification.", modelled: true },
  EntityNotFoundException: { status: 400, message: "Entity not found.", modelled: true },
  ExpiredTokenException: { status: 400, message: "The security token included in the request is expired", modelled: false },
  IncompleteSignatureException: { status: 400, message: "The request signature does not conform to AWS standards.", modelled: false },
  InternalServiceException: { status: 500, message: "Internal service error.", modelled: true },
  InvalidInputException: { status: 400, message: "Invalid input.", modelled: true },
  InvalidSignatureException: { status: 400, message: "The request signature we calculated does not match the signature you provided.", modelled: false },
  MissingAuthenticationTokenException: { status: 400, message: "Missing Authentication Token", modelled: false },
  ResourceNumberLimitExceededException: { status: 400, message: "Resource number limit exceeded.", modelled: true },
  SerializationException: { status: 400, message: "Unable to parse the request body.", modelled: false },
  UnknownOperationException: { status: 400, message: "Unknown operation.", modelled: false },
  UnrecognizedClientException: { status: 400, message: "The security token included in the request is invalid.", modelled: false },
  ValidationException: { status: 400, message: "Validation failed.", modelled: false },
};

/** A Glue wire error: code, message, HTTP status from the table. */
export class GlueError extends Error {
  override readonly name = "GlueError";
  readonly status: number;
  constructor(
    readonly code: GlueErrorCode,
    message?: string,
  ) {
    super(message ?? glueErrors[code].message);
    this.status = glueErrors[code].status;
  }
}

/** Glue's wording for a missing database: "Database x not found." */
export function databaseNotFound(name: string): GlueError {
  return new GlueError("EntityNotFoundException", `Database ${name} not found.`);
}

/** Glue's wording for a missing table: "Table x not found." */
export function tableNotFound(name: string): GlueError {
  return new GlueError("EntityNotFoundException", `Table ${name} not found.`);
}

export const JSON_CONTENT_TYPE = "application/x-amz-json-1.1";

/** Anything thrown -> a GlueError (unknown failures become InternalServiceException). */
export function toGlueError(err: unknown, now: number): GlueError {
  if (err instanceof GlueError) return err;
  if (err instanceof AuthError) {
    const mapped = jsonAuthError(err, now);
    return new GlueError(mapped.code, mapped.message);
  }
  return new GlueError("InternalServiceException");
}

/** Renders an error as `{"__type": code, "Message": ...}` (or `message` for the protocol-level errors). */
export function renderGlueError(err: unknown, _req: ServiceRequest | undefined, ctx: RequestContext): ServiceResponse {
  const e = toGlueError(err, ctx.clock.now());
  const body = glueErrors[e.code].modelled ? { __type: e.code, Message: e.message } : { __type: e.code, message: e.message };
  return {
    status: e.status,
    headers: { "content-type": JSON_CONTENT_TYPE, "x-amzn-requestid": ctx.requestId },
    body: JSON.stringify(body),
  };
}
