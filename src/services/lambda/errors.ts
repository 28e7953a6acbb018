import { AuthError } from "../../protocols/auth-error.js";
import { jsonAuthError } from "../../protocols/json/auth-errors.js";
import type { RequestContext, ServiceRequest, ServiceResponse } from "../../server/service.js";

/** Every error code Lambda answers with here. */
export type LambdaErrorCode =
  | "AccessDeniedException"
  | "ExpiredTokenException"
  | "IncompleteSignatureException"
  | "InvalidParameterValueException"
  | "InvalidRequestContentException"
  | "InvalidSignatureException"
  | "MissingAuthenticationTokenException"
  | "PreconditionFailedException"
  | "RequestEntityTooLargeException"
  | "RequestTooLargeException"
  | "ResourceConflictException"
  | "ResourceNotFoundException"
  | "ServiceException"
  | "TooManyRequestsException"
  | "UnrecognizedClientException"
  | "ValidationException";

/**
 * HTTP status, default message and how the body spells the message member (the model gives
 * some errors `Message`, others `message`); status codes from the model's error traits.
 */
export const lambdaErrors: Readonly<Record<LambdaErrorCode, { readonly status: number; readonly message: string; readonly member: "Message" | "message" }>> = {
  AccessDeniedException: { status: 403, message: "Access denied.", member: "Message" },
  ExpiredTokenException: { status: 403, message: "The security token included in the request is expired", member: "message" },
  IncompleteSignatureException: { status: 403, message: "The request signature does not conform to AWS standards.", member: "message" },
  InvalidParameterValueException: { status: 400, message: "Invalid parameter value.", member: "message" },
  InvalidRequestContentException: { status: 400, message: "Invalid request content.", member: "message" },
  InvalidSignatureException: { status: 403, message: "The request signature we calculated does not match the signature you provided.", member: "message" },
  MissingAuthenticationTokenException: { status: 403, message: "Missing Authentication Token", member: "message" },
  PreconditionFailedException: { status: 412, message: "Precondition failed.", member: "message" },
  RequestEntityTooLargeException: { status: 413, message: "Request entity too large.", member: "message" },
  RequestTooLargeException: { status: 413, message: "Request too large.", member: "message" },
  ResourceConflictException: { status: 409, message: "Resource conflict.", member: "message" },
  ResourceNotFoundException: { status: 404, message: "The resource you requested does not exist.", member: "Message" },
  ServiceException: { status: 500, message: "An internal error occurred.", member: "Message" },
  TooManyRequestsException: { status: 429, message: "Rate exceeded", member: "message" },
  UnrecognizedClientException: { status: 403, message: "The security token included in the request is invalid.", member: "message" },
  ValidationException: { status: 400, message: "Validation failed.", member: "message" },
};

/** A Lambda wire error: code, message, HTTP status from the table. */
export class LambdaError extends Error {
  override readonly name = "LambdaError";
  readonly status: number;
  constructor(
    readonly code: LambdaErrorCode,
    message?: string,
  ) {
    super(message ?? lambdaErrors[code].message);
    this.status = lambdaErrors[code].status;
  }
}

/** Lambda's wording for a missing function: "Function not found: <arn>". */
export function functionNotFound(arn: string): LambdaError {
  return new LambdaError("ResourceNotFoundException", `Function not found: ${arn}`);
}

/** Anything thrown -> a LambdaError (unknown failures become ServiceException). */
export function toLambdaError(err: unknown, now: number): LambdaError {
  if (err instanceof LambdaError) return err;
  if (err instanceof AuthError) {
    const mapped = jsonAuthError(err, now);
    return new LambdaError(mapped.code, mapped.message);
  }
  return new LambdaError("ServiceException");
}

/** REST-JSON errors: the code in `x-amzn-errortype`, and a JSON body with Type and the message. */
export function renderLambdaError(err: unknown, _req: ServiceRequest | undefined, ctx: RequestContext): ServiceResponse {
  const e = toLambdaError(err, ctx.clock.now());
  const spec = lambdaErrors[e.code];
  const type = e.status >= 500 ? "Service" : "User";
  return {
    status: e.status,
    headers: { "content-type": "application/json", "x-amzn-errortype": e.code, "x-amzn-requestid": ctx.requestId },
    body: JSON.stringify({ Type: type, [spec.member]: e.message }),
  };
}
