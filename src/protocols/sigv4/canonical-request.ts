// The SigV4 canonical request and string to sign ("Signature Calculations for the Authorization
// Header": CanonicalRequest = Method \n URI \n Query \n Headers \n SignedHeaders \n HashedPayload).
import { ALGORITHM, sha256Hex } from "./signing.js";

/** Signing names of services that sign the path as sent (no second URI encoding). */
const SINGLE_ENCODED_SERVICES = new Set(["s3", "s3-object-lambda", "s3-outposts", "s3express"]);

/** True for S3 and its relatives: path not double-encoded, x-amz-content-sha256 required. */
export function isS3Service(service: string): boolean {
  return SINGLE_ENCODED_SERVICES.has(service);
}

/** Trimall: trim the value and collapse inner runs of whitespace to one space. */
export function canonicalHeaderValue(value: string): string {
  // Most values have nothing to trim or collapse: skip the regex replace for them.
  return NEEDS_TRIMALL.test(value) ? value.trim().replace(/\s+/g, " ") : value;
}
// Leading or trailing whitespace, a whitespace other than a space, or two in a row.
const NEEDS_TRIMALL = /^\s|\s$|[^\S ]|\s\s/;

/** `name:value\n` for every signed header, in SignedHeaders order. Absent headers sign as empty. */
export function canonicalHeadersBlock(headers: Readonly<Record<string, string>>, signedHeaders: readonly string[]): string {
  let out = "";
  for (const name of signedHeaders) {
    let value = headers[name];
    // HTTP/2 carries the host in :authority.
    if (value === undefined && name === "host") value = headers[":authority"];
    out += `${name}:${value === undefined ? "" : canonicalHeaderValue(value)}\n`;
  }
  return out;
}

/** The lower-cased names listed in SignedHeaders. */
export function splitSignedHeaders(signedHeaders: string): readonly string[] {
  if (signedHeaders === lastSignedHeaders && lastSignedNames !== undefined) return lastSignedNames;
  let names = signedNames.get(signedHeaders);
  if (names === undefined) {
    names = Object.freeze(signedHeaders.split(";").map((name) => name.trim().toLowerCase()));
    if (signedNames.size >= SIGNED_NAMES_LIMIT) signedNames.clear();
    signedNames.set(signedHeaders, names);
  }
  lastSignedHeaders = signedHeaders;
  return (lastSignedNames = names);
}
let lastSignedHeaders = "";
let lastSignedNames: readonly string[] | undefined;
// A client sends the same few SignedHeaders lists again and again.
const SIGNED_NAMES_LIMIT = 256;
const signedNames = new Map<string, readonly string[]>();

/** Assembles the canonical request from its already-canonical parts. */
export function canonicalRequest(
  method: string,
  canonicalUri: string,
  canonicalQueryString: string,
  headersBlock: string,
  signedHeaders: string,
  payloadHash: string,
): string {
  return `${method}\n${canonicalUri}\n${canonicalQueryString}\n${headersBlock}\n${signedHeaders}\n${payloadHash}`;
}

/** AWS4-HMAC-SHA256 \n timestamp \n scope \n hex(sha256(canonical request)). */
export function stringToSign(amzDate: string, scope: string, canonicalRequestText: string): string {
  return `${stringToSignHead(amzDate, scope)}${sha256Hex(canonicalRequestText)}`;
}

/** The string to sign up to its last line: `AWS4-HMAC-SHA256\n<timestamp>\n<scope>\n`. */
export function stringToSignHead(amzDate: string, scope: string): string {
  // Every request of the same second and scope has the same head.
  if (amzDate !== lastHeadDate || scope !== lastHeadScope) {
    lastHead = `${ALGORITHM}\n${amzDate}\n${scope}\n`;
    lastHeadDate = amzDate;
    lastHeadScope = scope;
  }
  return lastHead;
}
let lastHeadDate = "";
let lastHeadScope = "";
let lastHead = `${ALGORITHM}\n\n\n`;

/** date/region/service/aws4_request */
export function credentialScopeString(date: string, region: string, service: string): string {
  if (date !== lastScopeDate || region !== lastScopeRegion || service !== lastScopeService) {
    lastScope = `${date}/${region}/${service}/aws4_request`;
    lastScopeDate = date;
    lastScopeRegion = region;
    lastScopeService = service;
  }
  return lastScope;
}
// Consecutive requests usually share their scope: the last one is kept.
let lastScopeDate = "";
let lastScopeRegion = "";
let lastScopeService = "";
let lastScope = "///aws4_request";
