// AWS request authentication (Signature Version 4, and Version 2 via ../sigv2), verified the way
// Amazon S3 verifies it. The server calls `authenticate`, then pipes the body through
// `createBodyVerifier(result.payload, trailers)`.
export type { AuthResult, CredentialScope, HttpRequestParts, PayloadCheck, Secrets } from "./types.js";
export { authenticate } from "./authenticate.js";
export { peekCredentialScope } from "./credential.js";
export { createBodyVerifier, type BodyVerifierOptions } from "./body-verifier.js";
export { regionMismatch, type CredentialSource } from "./errors.js";
export { MAX_SKEW_MS } from "./timestamps.js";
export { MAX_PRESIGN_EXPIRES_SECONDS } from "./verify-presigned.js";
