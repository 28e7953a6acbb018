import { credentialError, malformedCredential, type CredentialSource } from "./errors.js";
import { ALGORITHM } from "./signing.js";
import type { CredentialScope, HttpRequestParts } from "./types.js";
import { percentDecodeString } from "./uri-encode.js";

/** The three components of a SigV4 Authorization header. */
export interface ParsedAuthorization {
  /** From Credential=. */
  credential: CredentialScope;
  /** SignedHeaders= exactly as sent (semicolon-separated). */
  signedHeaders: string;
  /** Signature= as sent. */
  signature: string;
}

/** Splits `AKID/YYYYMMDD/region/service/aws4_request`; throws S3's malformed-credential errors. */
export function parseCredential(value: string, source: CredentialSource): CredentialScope {
  const parts = value.split("/");
  if (parts.length !== 5) throw malformedCredential(source);
  const [accessKeyId, date, region, service, terminal] = parts as [string, string, string, string, string];
  if (accessKeyId === "" || date === "" || region === "" || service === "") throw malformedCredential(source);
  if (terminal !== "aws4_request") {
    throw credentialError(source, `incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  }
  return { accessKeyId, date, region, service };
}

/**
 * Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` (components
 * separated by ',' with optional spaces, in any order). Throws AuthorizationHeaderMalformed.
 */
export function parseAuthorizationHeader(value: string): ParsedAuthorization {
  // The last of a repeated component wins; components other than the three are ignored.
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  for (const part of value.slice(ALGORITHM.length).split(",")) {
    const component = part.trim();
    if (component === "") continue;
    const eq = component.indexOf("=");
    if (eq < 0) throw credentialError("header", `the authorization component "${component}" is malformed.`);
    const name = component.slice(0, eq).trim();
    if (name === "Credential") credential = component.slice(eq + 1).trim();
    else if (name === "SignedHeaders") signedHeaders = component.slice(eq + 1).trim();
    else if (name === "Signature") signature = component.slice(eq + 1).trim();
  }
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw credentialError("header", "the authorization header requires three components: Credential, SignedHeaders, and Signature.");
  }
  return { credential: parseCredential(credential, "header"), signedHeaders, signature };
}

/** True when the Authorization header claims SigV4. */
export function isSigV4Authorization(value: string): boolean {
  return value.startsWith(ALGORITHM_SPACE);
}
const ALGORITHM_SPACE = `${ALGORITHM} `;

const QUERY_CREDENTIAL = /(?:^|&)X-Amz-Credential=([^&]*)/;

/** Cheap look at the credential scope (header or X-Amz-Credential) without verifying, for routing. */
export function peekCredentialScope(req: HttpRequestParts): CredentialScope | undefined {
  try {
    const authorization = req.headers["authorization"];
    if (authorization !== undefined && isSigV4Authorization(authorization)) {
      const m = /Credential=([^,\s]+)/.exec(authorization);
      return m === null ? undefined : parseCredential(m[1]!, "header");
    }
    const m = QUERY_CREDENTIAL.exec(req.rawQuery);
    return m === null ? undefined : parseCredential(percentDecodeString(m[1]!), "query");
  } catch {
    return undefined;
  }
}
