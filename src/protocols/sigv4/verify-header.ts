// SigV4 with the Authorization header ("Authenticating Requests: Using the Authorization Header").
import { credentialScopeString, isS3Service } from "./canonical-request.js";
import { parseAuthorizationHeader } from "./credential.js";
import { credentialError, invalidAccessKeyId, missingDate, timeTooSkewed } from "./errors.js";
import { invalidContentSha256, missingContentSha256, parsePayloadMode, payloadCheckFor } from "./payload-mode.js";
import { checkRequiredHeadersSigned, checkSignature, signatureChecker, type SignatureClaim } from "./signature-check.js";
import { MAX_SKEW_MS, formatAmzDate, parseAmzDate, parseHttpDate } from "./timestamps.js";
import type { AuthResult, CredentialScope, HttpRequestParts, PayloadCheck, Secrets } from "./types.js";

/** When a request was signed: ms since the epoch, its ISO 8601 basic form, the header as sent. */
interface RequestTime {
  readonly ms: number;
  readonly amzDate: string;
  readonly raw: string;
}

// Requests signed in the same second carry the same x-amz-date: the last one read is kept.
let lastTime: RequestTime | undefined;

/** The request time: x-amz-date (ISO 8601 basic), else the Date header. */
function requestTime(headers: Readonly<Record<string, string>>): RequestTime {
  const xAmzDate = headers["x-amz-date"];
  if (xAmzDate !== undefined) {
    if (lastTime !== undefined && lastTime.raw === xAmzDate) return lastTime;
    const amzDate = xAmzDate.trim();
    const ms = parseAmzDate(amzDate);
    if (ms !== undefined) return (lastTime = { ms, amzDate, raw: xAmzDate });
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
  // The credential's date must be the request's day (amzDate is at least YYYYMMDD long).
  if (credential.date.length !== 8 || !time.amzDate.startsWith(credential.date)) {
    const day = time.amzDate.slice(0, 8);
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
  const contentSha256 = req.headers["x-amz-content-sha256"]?.trim();
  if (contentSha256 === undefined) {
    // S3 requires x-amz-content-sha256 for SigV4; other services sign the body's own hash.
    if (isS3Service(credential.service)) throw missingContentSha256();
    checkRequiredHeadersSigned(req, claim);
    const check = signatureChecker(req, claim);
    return sigV4Result(credential, { type: "signature-after-body", verify: (hex) => void check(hex) });
  }
  const mode = parsePayloadMode(contentSha256);
  if (mode === undefined) throw invalidContentSha256(contentSha256);
  checkRequiredHeadersSigned(req, claim);
  const signingKey = checkSignature(req, claim, contentSha256);
  // Only a streaming-signed body needs the signing context (its chunks chain from the signature).
  const signing =
    mode.kind === "streaming-signed"
      ? { seedSignature: parsed.signature, signingKey, scope: credentialScopeString(credential.date, credential.region, credential.service), amzDate: time.amzDate }
      : undefined;
  return sigV4Result(credential, payloadCheckFor(mode, req.headers, signing));
}

function sigV4Result(credential: CredentialScope, payload: PayloadCheck): AuthResult {
  return { kind: "sigv4", accessKeyId: credential.accessKeyId, region: credential.region, service: credential.service, payload };
}
