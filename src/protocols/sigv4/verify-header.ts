// SigV4 with the Authorization header ("Authenticating Requests: Using the Authorization Header").
import { credentialScopeString, isS3Service } from "./canonical-request.js";
import { parseAuthorizationHeader } from "./credential.js";
import { credentialError, invalidAccessKeyId, missingDate, timeTooSkewed } from "./errors.js";
import { invalidContentSha256, missingContentSha256, parsePayloadMode, payloadCheckFor } from "./payload-mode.js";
import { checkRequiredHeadersSigned, signatureChecker, type SignatureClaim } from "./signature-check.js";
import { MAX_SKEW_MS, formatAmzDate, parseAmzDate, parseHttpDate } from "./timestamps.js";
import type { AuthResult, HttpRequestParts, Secrets } from "./types.js";

/** The request time: x-amz-date (ISO 8601 basic), else the Date header. */
function requestTime(headers: Readonly<Record<string, string>>): { ms: number; amzDate: string; raw: string } {
  const xAmzDate = headers["x-amz-date"];
  if (xAmzDate !== undefined) {
    const amzDate = xAmzDate.trim();
    const ms = parseAmzDate(amzDate);
    if (ms !== undefined) return { ms, amzDate, raw: xAmzDate };
    throw missingDate();
  }
  const date = headers["date"];
  const ms = date === undefined ? undefined : parseHttpDate(date);
  if (date === undefined || ms === undefined) throw missingDate();
  return { ms, amzDate: formatAmzDate(ms), raw: date };
}

/** Verifies a request carrying `Authorization: AWS4-HMAC-SHA256 ...`. Throws AuthError. */
export function verifySigV4Header(req: HttpRequestParts, authorization: string, secrets: Secrets, now: number): AuthResult {
  const parsed = parseAuthorizationHeader(authorization);
  const { credential } = parsed;
  const time = requestTime(req.headers);
  const day = time.amzDate.slice(0, 8);
  if (credential.date !== day) {
    throw credentialError("header", `Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${day}".`);
  }
  const secret = secrets.lookup(credential.accessKeyId);
  if (secret === undefined) throw invalidAccessKeyId(credential.accessKeyId);
  if (Math.abs(now - time.ms) > MAX_SKEW_MS) throw timeTooSkewed(time.raw, now);

  const claim: SignatureClaim = {
    credential,
    signedHeaders: parsed.signedHeaders,
    signature: parsed.signature,
    amzDate: time.amzDate,
    secret: secret.secretAccessKey,
  };
  const base = { accessKeyId: credential.accessKeyId, region: credential.region, service: credential.service } as const;
  const contentSha256 = req.headers["x-amz-content-sha256"]?.trim();
  if (contentSha256 === undefined) {
    // S3 requires x-amz-content-sha256 for SigV4; other services sign the body's own hash.
    if (isS3Service(credential.service)) throw missingContentSha256();
    checkRequiredHeadersSigned(req, claim);
    const check = signatureChecker(req, claim);
    return { kind: "sigv4", ...base, payload: { type: "signature-after-body", verify: (hex) => void check(hex) } };
  }
  const mode = parsePayloadMode(contentSha256);
  if (mode === undefined) throw invalidContentSha256(contentSha256);
  checkRequiredHeadersSigned(req, claim);
  const signingKey = signatureChecker(req, claim)(contentSha256);
  const scope = credentialScopeString(credential.date, credential.region, credential.service);
  const payload = payloadCheckFor(mode, req.headers, { seedSignature: parsed.signature, signingKey, scope, amzDate: time.amzDate });
  return { kind: "sigv4", ...base, payload };
}
