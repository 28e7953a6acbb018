import { createHash } from "node:crypto";
import type { Principal } from "./service.js";

/** S3's canonical user id for an account: 64 hex characters, stable per account. */
export function canonicalUserId(accountId: string): string {
  return createHash("sha256").update(`streamlake-account:${accountId}`).digest("hex");
}

/** The principal for a request signed with a key of `accountId` whose owner is `arn`. */
export function principalFor(
  accessKeyId: string | undefined,
  accountId: string,
  arn: string,
  authType: Principal["authType"],
): Principal {
  return Object.freeze({
    accessKeyId,
    accountId,
    arn,
    canonicalUserId: canonicalUserId(accountId),
    displayName: "streamlake",
    authType,
  });
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
