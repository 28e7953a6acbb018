import { hasSigV2Query, isSigV2Authorization, verifySigV2Header, verifySigV2Presigned } from "../sigv2/verify-sigv2.js";
import { isSigV4Authorization } from "./credential.js";
import { onlyOneAuthMechanism, unsupportedAuthorizationType } from "./errors.js";
import { STREAMING_UNSIGNED_TRAILER, decodedContentLength } from "./payload-mode.js";
import type { AuthResult, HttpRequestParts, PayloadCheck, Secrets } from "./types.js";
import { parseQuery } from "./uri-encode.js";
import { verifySigV4Header } from "./verify-header.js";
import { verifySigV4Presigned } from "./verify-presigned.js";

// Most requests have no query string (every JSON-protocol call): no Map made for them.
const NO_PARAMS: ReadonlyMap<string, string> = new Map();

function hasSigV4Query(params: ReadonlyMap<string, string>): boolean {
  return params.has("X-Amz-Algorithm") || params.has("X-Amz-Credential") || params.has("X-Amz-Signature");
}

/**
 * An anonymous request still says how its body is framed: a hex x-amz-content-sha256 is checked,
 * and an unsigned aws-chunked body is decoded; anything else passes through.
 */
function anonymousPayload(headers: Readonly<Record<string, string>>): PayloadCheck {
  const value = headers["x-amz-content-sha256"]?.trim();
  if (value !== undefined && /^[0-9a-fA-F]{64}$/.test(value)) return { type: "sha256", expectedHex: value.toLowerCase() };
  if (value === STREAMING_UNSIGNED_TRAILER) return { type: "streaming-unsigned-trailer", decodedLength: decodedContentLength(headers) };
  return { type: "none" };
}

/**
 * Verifies the signature (not the body) and returns what the body must be checked against.
 * Throws AuthError. `now` is ms since epoch (injected clock).
 */
export function authenticate(req: HttpRequestParts, secrets: Secrets, now: number): AuthResult {
  const authorization = req.headers["authorization"];
  const params = req.rawQuery === "" ? NO_PARAMS : parseQuery(req.rawQuery);
  const v4Query = hasSigV4Query(params);
  const v2Query = hasSigV2Query(params);
  if (authorization !== undefined && authorization !== "") {
    if (v4Query || v2Query) throw onlyOneAuthMechanism(authorization);
    if (isSigV4Authorization(authorization)) return verifySigV4Header(req, authorization, secrets, now);
    if (isSigV2Authorization(authorization)) return verifySigV2Header(req, authorization, secrets, now);
    throw unsupportedAuthorizationType(authorization);
  }
  if (v4Query) return verifySigV4Presigned(req, secrets, now);
  if (v2Query) return verifySigV2Presigned(req, secrets, now);
  return { kind: "anonymous", accessKeyId: undefined, region: undefined, service: undefined, payload: anonymousPayload(req.headers) };
}
