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
  // A client signs with the same credential all day: its parse is remembered (frozen, shared).
  // The last one is compared first: a string compare costs less than hashing a fresh string.
  if (value === lastCredential && lastScope !== undefined) return lastScope;
  const hit = credentials.get(value);
  if (hit !== undefined) {
    lastCredential = value;
    return (lastScope = hit);
  }
  const parts = value.split("/");
  if (parts.length !== 5) throw malformedCredential(source);
  const [accessKeyId, date, region, service, terminal] = parts as [string, string, string, string, string];
  if (accessKeyId === "" || date === "" || region === "" || service === "") throw malformedCredential(source);
  if (terminal !== "aws4_request") {
    throw credentialError(source, `incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  }
  const scope: CredentialScope = Object.freeze({ accessKeyId, date, region, service });
  if (credentials.size >= CREDENTIALS_LIMIT) credentials.clear();
  credentials.set(value, scope);
  lastCredential = value;
  return (lastScope = scope);
}
// Only well-formed credentials are kept; bounded, cleared when full.
const CREDENTIALS_LIMIT = 256;
const credentials = new Map<string, CredentialScope>();
let lastCredential = "";
let lastScope: CredentialScope | undefined;

/**
 * Parses `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` (components
 * separated by ',' with optional spaces, in any order). Throws AuthorizationHeaderMalformed.
 */
export function parseAuthorizationHeader(value: string): ParsedAuthorization {
  return parseUsualAuthorization(value) ?? parseAnyAuthorization(value);
}

const USUAL_PREFIX = `${ALGORITHM} Credential=`;
const SIGNED_HEADERS_AFTER_COMMA = " SignedHeaders=";
const SIGNATURE_AFTER_COMMA = " Signature=";

/**
 * The form every SDK sends, `AWS4-HMAC-SHA256 Credential=C, SignedHeaders=H, Signature=S` with
 * no other comma and nothing to trim around C, H and S, read without splitting; it reads as
 * parseAnyAuthorization reads it. Undefined for any other form.
 */
function parseUsualAuthorization(value: string): ParsedAuthorization | undefined {
  if (!value.startsWith(USUAL_PREFIX)) return undefined;
  const c1 = value.indexOf(",", USUAL_PREFIX.length);
  if (c1 === -1 || !value.startsWith(SIGNED_HEADERS_AFTER_COMMA, c1 + 1)) return undefined;
  const h = c1 + 1 + SIGNED_HEADERS_AFTER_COMMA.length;
  const c2 = value.indexOf(",", h);
  if (c2 === -1 || !value.startsWith(SIGNATURE_AFTER_COMMA, c2 + 1)) return undefined;
  const s = c2 + 1 + SIGNATURE_AFTER_COMMA.length;
  if (value.indexOf(",", s) !== -1) return undefined;
  if (!trimmedSpan(value, USUAL_PREFIX.length, c1) || !trimmedSpan(value, h, c2) || !trimmedSpan(value, s, value.length)) return undefined;
  return {
    credential: parseCredential(value.slice(USUAL_PREFIX.length, c1), "header"),
    signedHeaders: value.slice(h, c2),
    signature: value.slice(s),
  };
}

/** True when value[start, end) is not empty and String.prototype.trim would leave it as it is. */
function trimmedSpan(value: string, start: number, end: number): boolean {
  return end > start && !isTrimmedAway(value.charCodeAt(start)) && !isTrimmedAway(value.charCodeAt(end - 1));
}

/** The characters String.prototype.trim removes: WhiteSpace and LineTerminator (ECMA-262). */
function isTrimmedAway(c: number): boolean {
  if (c > 0x20 && c < 0xa0) return false;
  return (
    c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

function parseAnyAuthorization(value: string): ParsedAuthorization {
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
      // The SDK form: the credential runs from its name to the first ',' or white space.
      if (authorization.startsWith(USUAL_PREFIX)) {
        let end = USUAL_PREFIX.length;
        while (end < authorization.length) {
          const c = authorization.charCodeAt(end);
          if (c === 0x2c || isTrimmedAway(c)) break;
          end++;
        }
        if (end > USUAL_PREFIX.length) return parseCredential(authorization.slice(USUAL_PREFIX.length, end), "header");
      }
      const m = /Credential=([^,\s]+)/.exec(authorization);
      return m === null ? undefined : parseCredential(m[1]!, "header");
    }
    const m = QUERY_CREDENTIAL.exec(req.rawQuery);
    return m === null ? undefined : parseCredential(percentDecodeString(m[1]!), "query");
  } catch {
    return undefined;
  }
}
