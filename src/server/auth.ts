import { AuthError } from "../protocols/auth-error.js";
import { authenticate, regionMismatch, type HttpRequestParts, type PayloadCheck, type Secrets } from "../protocols/sigv4/index.js";
import type { IdentityStore } from "../storage/identity/identity-store.js";
import { anonymousPrincipal, principalFor } from "./principal.js";
import type { Principal } from "./service.js";

/** The outcome of authenticating one request: who it is and what its body must be checked against. */
export interface Authenticated {
  readonly principal: Principal;
  /** What the raw body must be checked against (the server pipes it through `createBodyVerifier`). */
  readonly payload: PayloadCheck;
  /** Trailing headers, filled once the body verifier has seen the whole body. */
  readonly trailers: Record<string, string>;
}

// One lookup per identity store, not a new closure per request.
const secretsByStore = new WeakMap<IdentityStore, Secrets>();
function activeSecrets(identities: IdentityStore): Secrets {
  let secrets = secretsByStore.get(identities);
  if (secrets === undefined) {
    secrets = {
      lookup(id: string) {
        const key = identities.getAccessKey(id);
        return key !== undefined && key.status === "Active" ? key : undefined;
      },
    };
    secretsByStore.set(identities, secrets);
  }
  return secrets;
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
  const result = authenticate(parts, activeSecrets(identities), now);
  const trailers: Record<string, string> = {};
  if (result.kind === "anonymous" || result.accessKeyId === undefined) {
    return { principal: anonymousPrincipal, payload: result.payload, trailers };
  }
  if (result.region !== undefined && result.region !== region) {
    // A presigned URL's scope is X-Amz-Credential: S3 answers AuthorizationQueryParametersError there.
    throw regionMismatch(result.kind === "sigv4-presigned" ? "query" : "header", result.region, region);
  }
  const key = identities.getAccessKey(result.accessKeyId);
  if (key === undefined) throw new AuthError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
  return { principal: principalFor(key.accessKeyId, key.accountId, key.principalArn, result.kind), payload: result.payload, trailers };
}
