import { peekCredentialScope, type HttpRequestParts } from "../protocols/sigv4/index.js";
import type { Service } from "./service.js";

/**
 * Picks the service for a request: the SigV4 credential scope names the service the client
 * signed for; then X-Amz-Target; anything else (anonymous requests, browser POST uploads, SigV2)
 * falls to S3. Paths alone are ambiguous (Lambda's /2015-03-31/functions is a valid bucket path).
 */
export function createRouter(services: readonly Service[]): (parts: HttpRequestParts) => Service | undefined {
  const bySigningName = new Map<string, Service>();
  const byTarget = new Map<string, Service>();
  for (const s of services) {
    for (const n of s.signingNames) bySigningName.set(n, s);
    for (const t of s.targetPrefixes) byTarget.set(t, s);
  }
  const fallback = bySigningName.get("s3");
  return (parts) => {
    const scope = peekCredentialScope(parts);
    if (scope !== undefined) {
      const service = bySigningName.get(scope.service);
      if (service !== undefined) return service;
    }
    const target = parts.headers["x-amz-target"];
    if (target !== undefined) {
      const service = byTarget.get(target.slice(0, target.indexOf(".")));
      if (service !== undefined) return service;
    }
    return scope === undefined ? fallback : undefined;
  };
}
