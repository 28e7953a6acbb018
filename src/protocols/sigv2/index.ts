// AWS Signature Version 2 (S3 REST and query-string authentication). The entry point used by the
// server is `authenticate` in ../sigv4, which dispatches here.
export { hasSigV2Query, isSigV2Authorization, verifySigV2Header, verifySigV2Presigned } from "./verify-sigv2.js";
export { SUBRESOURCES, canonicalizedAmzHeaders, canonicalizedResource, sigV2StringToSign } from "./string-to-sign.js";
