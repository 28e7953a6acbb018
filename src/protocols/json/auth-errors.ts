import type { AuthError } from "../auth-error.js";

/** The codes the AWS JSON and REST-JSON services answer authentication failures with. */
export type JsonAuthErrorCode =
  | "UnrecognizedClientException"
  | "InvalidSignatureException"
  | "ExpiredTokenException"
  | "MissingAuthenticationTokenException"
  | "IncompleteSignatureException"
  | "AccessDeniedException";

/** Default messages, worded as the services word them. */
export const jsonAuthMessages: Readonly<Record<JsonAuthErrorCode, string>> = {
  UnrecognizedClientException: "The security token included in the request is invalid.",
  InvalidSignatureException:
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  ExpiredTokenException: "The security token included in the request is expired",
  MissingAuthenticationTokenException: "Missing Authentication Token",
  IncompleteSignatureException: "The request signature does not conform to AWS standards.",
  AccessDeniedException: "Access denied.",
};

/** 20130524T000000Z, the form SigV4 messages quote times in. */
function basicIso(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function parseAmzTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  const ms = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** How a service words what the shared table leaves open. */
export interface JsonAuthErrorOptions {
  /**
   * Quote the clock-skew window the verifier allowed (the error's MaxAllowedSkewMilliseconds)
   * instead of AWS's 5 minutes in "Signature expired" answers (Kinesis does).
   */
  readonly skewWindowFromError?: boolean;
}

/** Maps the server's S3-named authentication failures to the code and message a JSON service answers with. */
export function jsonAuthError(
  err: AuthError,
  now: number,
  options: JsonAuthErrorOptions = {},
): { readonly code: JsonAuthErrorCode; readonly message: string } {
  const of = (code: JsonAuthErrorCode, message = jsonAuthMessages[code]) => ({ code, message });
  switch (err.code) {
    case "InvalidAccessKeyId":
      return of("UnrecognizedClientException");
    case "SignatureDoesNotMatch":
    case "XAmzContentSHA256Mismatch":
    case "BadDigest":
    case "InvalidDigest":
    case "IncompleteBody":
    case "InvalidRequest":
      return of("InvalidSignatureException");
    case "RequestTimeTooSkewed": {
      // JSON services word clock skew as an expired signature ("Signature expired: ..." answers).
      const requestTime = parseAmzTime(err.extra["RequestTime"]);
      const serverTime = parseAmzTime(err.extra["ServerTime"]) ?? now;
      const fiveMin = 5 * 60_000;
      const skewMs = options.skewWindowFromError === true ? Number(err.extra["MaxAllowedSkewMilliseconds"] ?? fiveMin) || fiveMin : fiveMin;
      const minutes = Math.round(skewMs / 60_000);
      if (requestTime !== undefined && requestTime > serverTime) {
        return of(
          "InvalidSignatureException",
          `Signature not yet current: ${basicIso(requestTime)} is still later than ${basicIso(serverTime + skewMs)} (${basicIso(serverTime)} + ${minutes} min.)`,
        );
      }
      return of(
        "InvalidSignatureException",
        `Signature expired: ${requestTime === undefined ? "(unknown)" : basicIso(requestTime)} is now earlier than ${basicIso(serverTime - skewMs)} (${basicIso(serverTime)} - ${minutes} min.)`,
      );
    }
    case "ExpiredToken":
      return of("ExpiredTokenException");
    case "AccessDenied":
      return of("MissingAuthenticationTokenException");
    case "AuthorizationHeaderMalformed":
    case "AuthorizationQueryParametersError":
    case "InvalidArgument":
    case "MissingSecurityHeader":
      return of("IncompleteSignatureException", err.message);
  }
}
