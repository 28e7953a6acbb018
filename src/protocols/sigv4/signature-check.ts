import {
  canonicalHeadersBlock,
  canonicalRequest,
  credentialScopeString,
  isS3Service,
  splitSignedHeaders,
  stringToSign,
} from "./canonical-request.js";
import { headersNotSigned, signatureMismatch } from "./errors.js";
import { deriveSigningKey, signHex, signaturesEqual, spacedHex } from "./signing.js";
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
  const missing: string[] = [];
  if (req.headers["host"] !== undefined && !signed.includes("host")) missing.push("host");
  if (isS3Service(claim.credential.service)) {
    let unsigned: string[] | undefined;
    for (const name in req.headers) {
      if (name.startsWith("x-amz-") && name !== "x-amz-content-sha256" && !signed.includes(name)) (unsigned ??= []).push(name);
    }
    if (unsigned !== undefined) missing.push(...unsigned.sort());
  }
  if (missing.length > 0) throw headersNotSigned(missing);
}

/**
 * Returns a function that checks the claim against the request for a given payload hash and
 * returns the signing key, or throws SignatureDoesNotMatch with the extra fields S3 returns
 * (AWSAccessKeyId, StringToSign, SignatureProvided, StringToSignBytes, CanonicalRequest,
 * CanonicalRequestBytes) for the most likely canonical form. Canonical forms tried: the path as
 * sent and the AWS re-encoding of it, and, when the query has a '+', '+' read as a space too.
 * `excludeQuery` names a parameter left out of the canonical query (X-Amz-Signature).
 */
export function signatureChecker(req: HttpRequestParts, claim: SignatureClaim, excludeQuery?: string): (payloadHash: string) => Buffer {
  const { credential } = claim;
  const signingKey = deriveSigningKey(claim.secret, credential.date, credential.region, credential.service);
  const scope = credentialScopeString(credential.date, credential.region, credential.service);
  const headersBlock = canonicalHeadersBlock(req.headers, splitSignedHeaders(claim.signedHeaders));
  const doubleEncode = !isS3Service(credential.service);
  // The other candidates (the path re-encoded) only matter when the first form fails.
  const firstUri = req.rawPath === "" || doubleEncode ? undefined : req.rawPath;
  let uris: string[] | undefined;
  const queries = [canonicalQuery(req.rawQuery, excludeQuery)];
  if (req.rawQuery.includes("+")) queries.push(canonicalQuery(req.rawQuery, excludeQuery, true));

  return (payloadHash: string): Buffer => {
    if (firstUri !== undefined && queries.length === 1) {
      const request = canonicalRequest(req.method, firstUri, queries[0]!, headersBlock, claim.signedHeaders, payloadHash);
      if (signaturesEqual(signHex(signingKey, stringToSign(claim.amzDate, scope, request)), claim.signature)) return signingKey;
    }
    uris ??= canonicalUriCandidates(req.rawPath, doubleEncode);
    let first: { request: string; toSign: string } | undefined;
    for (const uri of uris) {
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
  };
}
