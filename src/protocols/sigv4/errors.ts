// AuthErrors worded as Amazon S3 words them (error responses observed from S3; codes from the
// S3 "Error responses" list).
import { AuthError } from "../auth-error.js";
import { MAX_SKEW_MS, formatIsoSeconds } from "./timestamps.js";

export const SIGNATURE_MISMATCH_MESSAGE =
  "The request signature we calculated does not match the signature you provided. Check your key and signing method.";

export const INCOMPLETE_BODY_MESSAGE = "The request body terminated unexpectedly";

const CREDENTIAL_FORMAT = `"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"`;

/** Where a SigV4 credential came from: the Authorization header or X-Amz-Credential. */
export type CredentialSource = "header" | "query";

/** AuthorizationHeaderMalformed / AuthorizationQueryParametersError with S3's prefix. */
export function credentialError(source: CredentialSource, detail: string, extra: Record<string, string> = {}): AuthError {
  return source === "header"
    ? new AuthError("AuthorizationHeaderMalformed", `The authorization header is malformed; ${detail}`, extra)
    : new AuthError("AuthorizationQueryParametersError", `Error parsing the X-Amz-Credential parameter; ${detail}`, extra);
}

export function malformedCredential(source: CredentialSource): AuthError {
  return credentialError(source, `the Credential is mal-formed; expecting ${CREDENTIAL_FORMAT}.`);
}

/**
 * The scope's region differs from the one the server serves. The server checks this (it knows
 * its region); S3 names the expected region in a Region element.
 */
export function regionMismatch(source: CredentialSource, given: string, expected: string): AuthError {
  return credentialError(source, `the region '${given}' is wrong; expecting '${expected}'`, { Region: expected });
}

export function invalidAccessKeyId(accessKeyId: string): AuthError {
  return new AuthError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
    AWSAccessKeyId: accessKeyId,
  });
}

export function missingDate(): AuthError {
  return new AuthError("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
}

export function timeTooSkewed(requestTime: string, now: number): AuthError {
  return new AuthError("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", {
    RequestTime: requestTime,
    ServerTime: formatIsoSeconds(now),
    MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
  });
}

export function unsupportedAuthorizationType(headerValue: string): AuthError {
  return new AuthError("InvalidArgument", "Unsupported Authorization Type", {
    ArgumentName: "Authorization",
    ArgumentValue: headerValue,
  });
}

export function onlyOneAuthMechanism(headerValue: string): AuthError {
  return new AuthError(
    "InvalidArgument",
    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
    { ArgumentName: "Authorization", ArgumentValue: headerValue },
  );
}

export function headersNotSigned(names: readonly string[]): AuthError {
  return new AuthError("AccessDenied", "There were headers present in the request which were not signed", {
    HeadersNotSigned: names.join(", "),
  });
}

export function incompleteBody(): AuthError {
  return new AuthError("IncompleteBody", INCOMPLETE_BODY_MESSAGE);
}

export function contentSha256Mismatch(clientHex: string, computedHex: string): AuthError {
  return new AuthError("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", {
    ClientComputedContentSHA256: clientHex,
    S3ComputedContentSHA256: computedHex,
  });
}

export function signatureMismatch(extra: Record<string, string>): AuthError {
  return new AuthError("SignatureDoesNotMatch", SIGNATURE_MISMATCH_MESSAGE, extra);
}
