import { createHash } from "node:crypto";
import type { Principal } from "./service.js";

/** S3's canonical user id for an account: 64 hex characters, stable per account. */
export function canonicalUserId(accountId: string): string {
  return createHash("sha256").update(`streamlake-account:${accountId}`).digest("hex");
}

// Principals are frozen values of their four inputs: every request of a key shares one (a hash
// and a freeze per request showed in the small-request profile). Bounded; cleared when full.
const PRINCIPAL_CACHE_LIMIT = 4096;
const principals = new Map<string, Principal>();
let lastPrincipal: Principal | undefined;

/** The principal for a request signed with a key of `accountId` whose owner is `arn`. */
export function principalFor(
  accessKeyId: string | undefined,
  accountId: string,
  arn: string,
  authType: Principal["authType"],
): Principal {
  const last = lastPrincipal;
  if (last !== undefined && last.accessKeyId === accessKeyId && last.accountId === accountId && last.arn === arn && last.authType === authType) return last;
  const cacheKey = `${authType}\n${accessKeyId ?? ""}\n${accountId}\n${arn}`;
  const hit = principals.get(cacheKey);
  if (hit !== undefined && hit.accessKeyId === accessKeyId) return (lastPrincipal = hit);
  const principal: Principal = Object.freeze({
    accessKeyId,
    accountId,
    arn,
    canonicalUserId: canonicalUserId(accountId),
    displayName: "streamlake",
    authType,
  });
  if (principals.size >= PRINCIPAL_CACHE_LIMIT) principals.clear();
  principals.set(cacheKey, principal);
  return (lastPrincipal = principal);
}

/** The principal of an unauthenticated request. */
export const anonymousPrincipal: Principal = Object.freeze({
  accessKeyId: undefined,
  accountId: "",
  arn: "*",
  canonicalUserId: "65a011a29cdf8ec533ec3d1ccaae921c", // S3's id for the anonymous user
  displayName: "anonymous",
  authType: "anonymous",
});
