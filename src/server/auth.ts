import type { Transform } from "node:stream";
import { AuthError } from "../protocols/auth-error.js";
import { authenticate, createBodyVerifier, regionMismatch, type HttpRequestParts } from "../protocols/sigv4/index.js";
import type { IdentityStore } from "../storage/identity/identity-store.js";
import { anonymousPrincipal, principalFor } from "./principal.js";
import type { Principal } from "./service.js";

/** The outcome of authenticating one request: who it is and the verified body stream. */
export interface Authenticated {
  readonly principal: Principal;
  /** Decodes and checks the raw body as it streams through. */
  readonly verifier: Transform;
  /** Trailing headers, filled once the verifier has seen the whole body. */
  readonly trailers: Record<string, string>;
}

/**
 * The one place requests are authenticated, for every service. Throws AuthError; the caller's
 * service renders it. Region must match the server's (as AWS refuses a scope for another region).
 */
export function authenticateRequest(
  parts: HttpRequestParts,
  identities: IdentityStore,
  region: string,
  now: number,
): Authenticated {
  const secrets = {
    lookup(id: string) {
      const key = identities.getAccessKey(id);
      return key !== undefined && key.status === "Active" ? key : undefined;
    },
  };
  const result = authenticate(parts, secrets, now);
  const trailers: Record<string, string> = {};
  const verifier = createBodyVerifier(result.payload, trailers);
  if (result.kind === "anonymous" || result.accessKeyId === undefined) {
    return { principal: anonymousPrincipal, verifier, trailers };
  }
  if (result.region !== undefined && result.region !== region) {
    // A presigned URL's scope is X-Amz-Credential: S3 answers AuthorizationQueryParametersError there.
    throw regionMismatch(result.kind === "sigv4-presigned" ? "query" : "header", result.region, region);
  }
  const key = identities.getAccessKey(result.accessKeyId);
  if (key === undefined) throw new AuthError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
  return { principal: principalFor(key.accessKeyId, key.accountId, key.principalArn, result.kind), verifier, trailers };
}
