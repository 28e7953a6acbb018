/**
 * Authentication failures, named with S3's codes (the richest set). Each service maps these to
 * its own wire codes in its errors.ts (Kinesis, for one, answers UnrecognizedClientException
 * where S3 answers InvalidAccessKeyId).
 */
export type AuthErrorCode =
  | "AccessDenied"
  | "AuthorizationHeaderMalformed"
  | "AuthorizationQueryParametersError"
  | "BadDigest"
  | "ExpiredToken"
  | "IncompleteBody"
  | "InvalidAccessKeyId"
  | "InvalidArgument"
  | "InvalidDigest"
  | "InvalidRequest"
  | "MissingSecurityHeader"
  | "RequestTimeTooSkewed"
  | "SignatureDoesNotMatch"
  | "XAmzContentSHA256Mismatch";

export class AuthError extends Error {
  override readonly name = "AuthError";
  /**
   * @param code the S3-style error code
   * @param message the human message, worded as S3 words it
   * @param extra additional XML fields S3 returns with this error (e.g. StringToSign,
   *   CanonicalRequest, RequestTime, ServerTime, MaxAllowedSkewMilliseconds)
   */
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
