// The signature of a browser POST upload signs the base64 policy itself: SigV4 with the form's
// x-amz-credential scope (S3 API Reference, "Browser-Based Uploads Using POST (AWS Signature
// Version 4)"), or SigV2 as base64 HMAC-SHA1 of the policy with AWSAccessKeyId.
import { createHmac } from "node:crypto";
import type { AuthError } from "../../../protocols/auth-error.js";
import { parseCredential } from "../../../protocols/sigv4/credential.js";
import { credentialError, invalidAccessKeyId, regionMismatch, signatureMismatch } from "../../../protocols/sigv4/errors.js";
import { ALGORITHM, deriveSigningKey, signaturesEqual, signHex, spacedHex } from "../../../protocols/sigv4/signing.js";
import type { AccessKeyLookup } from "../../../server/service.js";
import type { AccessKey } from "../../../storage/identity/identity-store.js";
import { S3Error } from "../errors.js";

/** Who signed a POST policy, and how. */
export interface PolicySigner {
  readonly key: AccessKey;
  readonly kind: "sigv4" | "sigv2";
}

/** S3's refusal of a form that lacks a field it needs. */
export const missingField = (name: string): S3Error =>
  new S3Error("InvalidArgument", `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, {
    ArgumentName: name,
    ArgumentValue: "",
  });

function activeKey(accessKeys: AccessKeyLookup, accessKeyId: string): AccessKey {
  const key = accessKeys.getAccessKey(accessKeyId);
  if (key === undefined || key.status !== "Active") throw invalidAccessKeyId(accessKeyId);
  return key;
}

function mismatch(accessKeyId: string, policy: string, provided: string): AuthError {
  return signatureMismatch({ AWSAccessKeyId: accessKeyId, StringToSign: policy, SignatureProvided: provided, StringToSignBytes: spacedHex(policy) });
}

/**
 * Verifies the signature over `policy` from the form's fields (lower-case names). Throws
 * InvalidArgument for missing fields, InvalidAccessKeyId, the credential scope errors, or
 * SignatureDoesNotMatch.
 */
export function verifyPolicySignature(fields: ReadonlyMap<string, string>, policy: string, accessKeys: AccessKeyLookup, region: string): PolicySigner {
  const v2Key = fields.get("awsaccesskeyid");
  if (v2Key !== undefined && !fields.has("x-amz-credential")) {
    const provided = fields.get("signature");
    if (provided === undefined) throw missingField("Signature");
    const key = activeKey(accessKeys, v2Key);
    const computed = createHmac("sha1", key.secretAccessKey).update(policy, "utf8").digest("base64");
    if (!signaturesEqual(computed, provided)) throw mismatch(v2Key, policy, provided);
    return { key, kind: "sigv2" };
  }
  const algorithm = fields.get("x-amz-algorithm");
  if (algorithm === undefined) throw missingField("X-Amz-Algorithm");
  if (algorithm !== ALGORITHM) {
    throw new S3Error("InvalidArgument", `Unsupported x-amz-algorithm: ${algorithm}`, { ArgumentName: "x-amz-algorithm", ArgumentValue: algorithm });
  }
  const credential = fields.get("x-amz-credential");
  if (credential === undefined) throw missingField("X-Amz-Credential");
  if (!fields.has("x-amz-date")) throw missingField("X-Amz-Date");
  const provided = fields.get("x-amz-signature");
  if (provided === undefined) throw missingField("X-Amz-Signature");
  const scope = parseCredential(credential, "query");
  if (scope.service !== "s3") throw credentialError("query", `incorrect service "${scope.service}". This endpoint belongs to "s3".`);
  if (scope.region !== region) throw regionMismatch("query", scope.region, region);
  const key = activeKey(accessKeys, scope.accessKeyId);
  const computed = signHex(deriveSigningKey(key.secretAccessKey, scope.date, scope.region, scope.service), policy);
  if (!signaturesEqual(computed, provided.toLowerCase())) throw mismatch(scope.accessKeyId, policy, provided);
  return { key, kind: "sigv4" };
}
