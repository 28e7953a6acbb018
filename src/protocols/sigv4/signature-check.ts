import {
  canonicalHeadersBlock,
  canonicalRequest,
  credentialScopeString,
  isS3Service,
  splitSignedHeaders,
  stringToSign,
  stringToSignHead,
} from "./canonical-request.js";
import { headersNotSigned, signatureMismatch } from "./errors.js";
import { deriveSigningKey, sha256Hex, signHex, signHexJoined, signaturesEqual, spacedHex } from "./signing.js";
import type { CredentialScope, HttpRequestParts } from "./types.js";
import { canonicalQuery, canonicalUriCandidates } from "./uri-encode.js";

/** What a SigV4 request claims: who signed, what, when, and the signature. */
export interface SignatureClaim {
  /** The parsed credential. */
  credential: CredentialScope;
  /** SignedHeaders / X-Amz-SignedHeaders exactly as sent. */
  signedHeaders: string;
  /** The signature the client sent. */
  signature: string;
  /** Request timestamp in ISO 8601 basic form, as it goes into the string to sign. */
  amzDate: string;
  /** The secret of credential.accessKeyId. */
  secret: string;
}

/**
 * S3 refuses x-amz-* headers (and the Host) that are present but not signed: AccessDenied
 * "There were headers present in the request which were not signed". x-amz-content-sha256 is
 * tolerated unsigned, as S3 does. Other services only require the Host to be signed.
 */
export function checkRequiredHeadersSigned(req: HttpRequestParts, claim: SignatureClaim): void {
  const signed = splitSignedHeaders(claim.signedHeaders);
  let missing: string[] | undefined;
  if (req.headers["host"] !== undefined && !signed.includes("host")) missing = ["host"];
  if (isS3Service(claim.credential.service)) {
    let unsigned: string[] | undefined;
    for (const name in req.headers) {
      if (name.startsWith("x-amz-") && name !== "x-amz-content-sha256" && !signed.includes(name)) (unsigned ??= []).push(name);
    }
    if (unsigned !== undefined) (missing ??= []).push(...unsigned.sort());
  }
  if (missing !== undefined) throw headersNotSigned(missing);
}

/**
 * Checks the claim against the request for a given payload hash and returns the signing key, or
 * throws SignatureDoesNotMatch with the extra fields S3 returns (AWSAccessKeyId, StringToSign,
 * SignatureProvided, StringToSignBytes, CanonicalRequest, CanonicalRequestBytes) for the most
 * likely canonical form. Canonical forms tried: the path as sent and the AWS re-encoding of it,
 * and, when the query has a '+', '+' read as a space too. `excludeQuery` names a parameter left
 * out of the canonical query (X-Amz-Signature).
 */
export function checkSignature(req: HttpRequestParts, claim: SignatureClaim, payloadHash: string, excludeQuery?: string): Buffer {
  const { credential } = claim;
  const signingKey = deriveSigningKey(claim.secret, credential.date, credential.region, credential.service);
  const scope = credentialScopeString(credential.date, credential.region, credential.service);
  const headersBlock = canonicalHeadersBlock(req.headers, splitSignedHeaders(claim.signedHeaders));
  const doubleEncode = !isS3Service(credential.service);
  const hasPlus = req.rawQuery.includes("+");
  // The usual case, and the only form a correct S3 signer uses: the path as sent, the query as is.
  // The other candidates (the path re-encoded) only matter when it fails.
  if (req.rawPath !== "" && !doubleEncode && !hasPlus) {
    const request = canonicalRequest(req.method, req.rawPath, canonicalQuery(req.rawQuery, excludeQuery), headersBlock, claim.signedHeaders, payloadHash);
    if (signaturesEqual(signHexJoined(signingKey, stringToSignHead(claim.amzDate, scope), sha256Hex(request)), claim.signature)) return signingKey;
  }
  const queries = [canonicalQuery(req.rawQuery, excludeQuery)];
  if (hasPlus) queries.push(canonicalQuery(req.rawQuery, excludeQuery, true));
  let first: { request: string; toSign: string } | undefined;
  for (const uri of canonicalUriCandidates(req.rawPath, doubleEncode)) {
    for (const query of queries) {
      const request = canonicalRequest(req.method, uri, query, headersBlock, claim.signedHeaders, payloadHash);
      const toSign = stringToSign(claim.amzDate, scope, request);
      if (signaturesEqual(signHex(signingKey, toSign), claim.signature)) return signingKey;
      first ??= { request, toSign };
    }
  }
  const { request, toSign } = first!;
  throw signatureMismatch({
    AWSAccessKeyId: credential.accessKeyId,
    StringToSign: toSign,
    SignatureProvided: claim.signature,
    StringToSignBytes: spacedHex(toSign),
    CanonicalRequest: request,
    CanonicalRequestBytes: spacedHex(request),
  });
}

/** checkSignature for a payload hash known later (a body whose own hash is signed). */
export function signatureChecker(req: HttpRequestParts, claim: SignatureClaim, excludeQuery?: string): (payloadHash: string) => Buffer {
  return (payloadHash) => checkSignature(req, claim, payloadHash, excludeQuery);
}
