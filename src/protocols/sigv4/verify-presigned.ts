// SigV4 in the query string ("Authenticating Requests: Using Query Parameters (AWS Signature
// Version 4)"): X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders, -Signature.
import { AuthError } from "../auth-error.js";
import { credentialScopeString, isS3Service } from "./canonical-request.js";
import { parseCredential } from "./credential.js";
import { credentialError, invalidAccessKeyId } from "./errors.js";
import { UNSIGNED_PAYLOAD, invalidContentSha256, parsePayloadMode, payloadCheckFor } from "./payload-mode.js";
import { checkRequiredHeadersSigned, checkSignature, signatureChecker } from "./signature-check.js";
import { ALGORITHM } from "./signing.js";
import { MAX_SKEW_MS, formatIsoSeconds, parseAmzDate } from "./timestamps.js";
import type { AuthResult, HttpRequestParts, Secrets } from "./types.js";
import { parseQuery } from "./uri-encode.js";

/** The longest a presigned URL may live: seven days (sigv4-query-string-auth, X-Amz-Expires). */
export const MAX_PRESIGN_EXPIRES_SECONDS = 604_800;

function queryError(message: string): AuthError {
  return new AuthError("AuthorizationQueryParametersError", message);
}

/** Verifies a presigned (query-string) SigV4 request. Throws AuthError. */
export function verifySigV4Presigned(req: HttpRequestParts, secrets: Secrets, now: number): AuthResult {
  const q = parseQuery(req.rawQuery);
  const algorithm = q.get("X-Amz-Algorithm");
  const credentialParam = q.get("X-Amz-Credential");
  const amzDate = q.get("X-Amz-Date");
  const expiresParam = q.get("X-Amz-Expires");
  const signedHeaders = q.get("X-Amz-SignedHeaders");
  const signature = q.get("X-Amz-Signature");
  if (
    algorithm === undefined ||
    credentialParam === undefined ||
    amzDate === undefined ||
    expiresParam === undefined ||
    signedHeaders === undefined ||
    signature === undefined
  ) {
    throw queryError(
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  }
  if (algorithm !== ALGORITHM) throw queryError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const credential = parseCredential(credentialParam, "query");
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) throw queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  if (!/^-?\d+$/.test(expiresParam)) throw queryError("X-Amz-Expires should be a number");
  const expires = Number(expiresParam);
  if (expires < 0) throw queryError("X-Amz-Expires must be non-negative");
  if (expires > MAX_PRESIGN_EXPIRES_SECONDS) {
    throw queryError(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_EXPIRES_SECONDS}`);
  }
  const day = amzDate.slice(0, 8);
  if (credential.date !== day) {
    throw credentialError("query", `Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${day}".`);
  }
  const secret = secrets.lookup(credential.accessKeyId);
  if (secret === undefined) throw invalidAccessKeyId(credential.accessKeyId);

  const expiresAt = signedAt + expires * 1000;
  if (signedAt - now > MAX_SKEW_MS) {
    // S3 reports X-Amz-Date here in ms since the epoch.
    throw new AuthError("AccessDenied", "Request is not yet valid", {
      "X-Amz-Date": String(signedAt),
      Expires: formatIsoSeconds(expiresAt),
      ServerTime: formatIsoSeconds(now),
    });
  }
  if (now > expiresAt) {
    throw new AuthError("AccessDenied", "Request has expired", {
      "X-Amz-Expires": expiresParam,
      Expires: formatIsoSeconds(expiresAt),
      ServerTime: formatIsoSeconds(now),
    });
  }

  const claim = { credential, signedHeaders, signature, amzDate, secret: secret.secretAccessKey };
  checkRequiredHeadersSigned(req, claim);
  const base = { kind: "sigv4-presigned", accessKeyId: credential.accessKeyId, region: credential.region, service: credential.service } as const;
  // The payload hash: x-amz-content-sha256 if the signer hoisted it into the query (the AWS SDK
  // for JavaScript v3 presigner does, under either spelling); otherwise S3 takes UNSIGNED-PAYLOAD
  // (sigv4-query-string-auth) and other services the hash of the body itself.
  let payloadHash: string | undefined;
  for (const [name, value] of q) {
    if (name.toLowerCase() === "x-amz-content-sha256") {
      payloadHash = value;
      break;
    }
  }
  if (payloadHash === undefined) {
    if (!isS3Service(credential.service)) {
      const check = signatureChecker(req, claim, "X-Amz-Signature");
      return { ...base, payload: { type: "signature-after-body", verify: (hex) => void check(hex) } };
    }
    payloadHash = UNSIGNED_PAYLOAD;
  }
  const mode = parsePayloadMode(payloadHash);
  if (mode === undefined) throw invalidContentSha256(payloadHash);
  const signingKey = checkSignature(req, claim, payloadHash, "X-Amz-Signature");
  const scope = credentialScopeString(credential.date, credential.region, credential.service);
  return { ...base, payload: payloadCheckFor(mode, req.headers, { seedSignature: signature, signingKey, scope, amzDate }) };
}
