// SigV2 verification: `Authorization: AWS AKID:base64(HMAC-SHA1(secret, StringToSign))` or the
// query-string alternative (AWSAccessKeyId, Expires, Signature). S3 "Signing and authenticating
// REST requests".
import { createHmac } from "node:crypto";
import { AuthError } from "../auth-error.js";
import { invalidAccessKeyId, missingDate, signatureMismatch, timeTooSkewed } from "../sigv4/errors.js";
import { signaturesEqual, spacedHex } from "../sigv4/signing.js";
import { MAX_SKEW_MS, formatIsoSeconds, parseAmzDate, parseHttpDate } from "../sigv4/timestamps.js";
import type { AuthResult, HttpRequestParts, Secrets } from "../sigv4/types.js";
import { parseQuery } from "../sigv4/uri-encode.js";
import { sigV2StringToSign } from "./string-to-sign.js";

/** True when the Authorization header claims SigV2 (`AWS AKID:signature`). */
export function isSigV2Authorization(value: string): boolean {
  return value.startsWith("AWS ");
}

/** True when the query carries SigV2 presign parameters. */
export function hasSigV2Query(params: ReadonlyMap<string, string>): boolean {
  return params.has("AWSAccessKeyId") || params.has("Signature");
}

function sign(secret: string, stringToSign: string): string {
  return createHmac("sha1", secret).update(stringToSign, "utf8").digest("base64");
}

function check(accessKeyId: string, secret: string, stringToSign: string, provided: string): void {
  if (signaturesEqual(sign(secret, stringToSign), provided)) return;
  throw signatureMismatch({
    AWSAccessKeyId: accessKeyId,
    StringToSign: stringToSign,
    SignatureProvided: provided,
    StringToSignBytes: spacedHex(stringToSign),
  });
}

/** Verifies `Authorization: AWS AKID:signature`. Throws AuthError. */
export function verifySigV2Header(req: HttpRequestParts, authorization: string, secrets: Secrets, now: number): AuthResult {
  const credentials = authorization.slice(4).trim();
  const colon = credentials.indexOf(":");
  if (colon <= 0 || colon === credentials.length - 1) {
    throw new AuthError("InvalidArgument", "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature", {
      ArgumentName: "Authorization",
      ArgumentValue: authorization,
    });
  }
  const accessKeyId = credentials.slice(0, colon);
  const provided = credentials.slice(colon + 1).trim();

  const xAmzDate = req.headers["x-amz-date"];
  const rawDate = xAmzDate ?? req.headers["date"];
  const time = rawDate === undefined ? undefined : (parseHttpDate(rawDate) ?? parseAmzDate(rawDate.trim()));
  if (rawDate === undefined || time === undefined) throw missingDate();

  const secret = secrets.lookup(accessKeyId);
  if (secret === undefined) throw invalidAccessKeyId(accessKeyId);
  if (Math.abs(now - time) > MAX_SKEW_MS) throw timeTooSkewed(rawDate, now);

  // With x-amz-date present the Date line is empty: x-amz-date is signed among the amz headers.
  const dateLine = xAmzDate !== undefined ? "" : (req.headers["date"] ?? "").trim();
  check(accessKeyId, secret.secretAccessKey, sigV2StringToSign(req, dateLine, false), provided);
  return { kind: "sigv2", accessKeyId, region: undefined, service: undefined, payload: { type: "none" } };
}

/** Verifies a SigV2 presigned URL (AWSAccessKeyId, Expires, Signature). Throws AuthError. */
export function verifySigV2Presigned(req: HttpRequestParts, secrets: Secrets, now: number): AuthResult {
  const q = parseQuery(req.rawQuery);
  const accessKeyId = q.get("AWSAccessKeyId");
  const expires = q.get("Expires");
  const provided = q.get("Signature");
  if (accessKeyId === undefined || expires === undefined || provided === undefined) {
    throw new AuthError("AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");
  }
  if (!/^\d{1,15}$/.test(expires)) {
    throw new AuthError("InvalidArgument", `Invalid date (should be seconds since epoch): ${expires}`, {
      ArgumentName: "Expires",
      ArgumentValue: expires,
    });
  }
  const secret = secrets.lookup(accessKeyId);
  if (secret === undefined) throw invalidAccessKeyId(accessKeyId);
  const expiresAt = Number(expires) * 1000;
  if (now > expiresAt) {
    throw new AuthError("AccessDenied", "Request has expired", {
      Expires: formatIsoSeconds(expiresAt),
      ServerTime: formatIsoSeconds(now),
    });
  }
  check(accessKeyId, secret.secretAccessKey, sigV2StringToSign(req, expires, true), provided);
  return { kind: "sigv2-presigned", accessKeyId, region: undefined, service: undefined, payload: { type: "none" } };
}
