// Presigned (query-string) SigV4 URLs made by @smithy/signature-v4 the way the S3 presigner does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { authenticate, createBodyVerifier } from "./index.js";
import { AKID, expectAuthError, runThrough, sdkPresign, secrets } from "./test-support.js";
import type { HttpRequestParts } from "./types.js";

const AT = Date.UTC(2026, 10, 21, 12, 0, 0);

function setParam(r: HttpRequestParts, name: string, value: string | undefined): HttpRequestParts {
  const pieces = r.rawQuery.split("&").filter((p) => !p.startsWith(`${name}=`));
  if (value !== undefined) pieces.push(`${name}=${encodeURIComponent(value)}`);
  return { ...r, rawQuery: pieces.join("&") };
}

test("a presigned GET with response overrides verifies until it expires", async () => {
  const r = await sdkPresign(
    {
      method: "GET",
      hostname: "bucket.s3.localhost",
      path: "/dir/na%20me%2B1.txt",
      query: { "response-content-disposition": 'attachment; filename="a b.txt"', versionId: "v1" },
    },
    { at: AT, expiresIn: 3600 },
  );
  assert.match(r.rawQuery, /X-Amz-Signature=[0-9a-f]{64}/);
  const ok = authenticate(r, secrets, AT + 3599_000);
  assert.deepEqual(ok, { kind: "sigv4-presigned", accessKeyId: AKID, region: "us-east-1", service: "s3", payload: { type: "none" } });
  const expired = expectAuthError(() => authenticate(r, secrets, AT + 3601_000), "AccessDenied");
  assert.equal(expired.message, "Request has expired");
  assert.deepEqual(expired.extra, { "X-Amz-Expires": "3600", Expires: "2026-11-21T13:00:00Z", ServerTime: "2026-11-21T13:00:01Z" });
  const early = expectAuthError(() => authenticate(r, secrets, AT - 16 * 60_000), "AccessDenied");
  assert.equal(early.message, "Request is not yet valid");
  assert.equal(early.extra["X-Amz-Date"], String(AT));
});

test("a presigned PUT with hoisted x-amz-meta-* verifies; an added unsigned x-amz header does not", async () => {
  const r = await sdkPresign(
    { method: "PUT", hostname: "s3.localhost", path: "/bucket/key", headers: { "x-amz-meta-owner": "me", "content-type": "text/plain" } },
    { at: AT, expiresIn: 60 },
  );
  assert.match(r.rawQuery, /x-amz-meta-owner=me/);
  assert.equal(authenticate(r, secrets, AT).kind, "sigv4-presigned");
  const withAcl = { ...r, headers: { ...r.headers, "x-amz-acl": "public-read" } };
  const err = expectAuthError(() => authenticate(withAcl, secrets, AT), "AccessDenied");
  assert.deepEqual(err.extra, { HeadersNotSigned: "x-amz-acl" });
  // Unsigned content-type (the presigner leaves it out) is fine.
  assert.equal(authenticate({ ...r, headers: { ...r.headers, "content-type": "image/png" } }, secrets, AT).kind, "sigv4-presigned");
});

test("tampering with a presigned URL", async () => {
  const r = await sdkPresign({ method: "GET", hostname: "s3.localhost", path: "/bucket/key", query: { versionId: "1" } }, { at: AT, expiresIn: 600 });
  const sig = /X-Amz-Signature=([0-9a-f]+)/.exec(r.rawQuery)![1]!;
  expectAuthError(() => authenticate(setParam(r, "X-Amz-Signature", sig.replace(/^./, sig.startsWith("0") ? "1" : "0")), secrets, AT), "SignatureDoesNotMatch");
  expectAuthError(() => authenticate(setParam(r, "versionId", "2"), secrets, AT), "SignatureDoesNotMatch");
  expectAuthError(() => authenticate(setParam(r, "X-Amz-Expires", "601"), secrets, AT), "SignatureDoesNotMatch");
  expectAuthError(() => authenticate({ ...r, rawPath: "/bucket/other" }, secrets, AT), "SignatureDoesNotMatch");
  expectAuthError(() => authenticate({ ...r, method: "DELETE" }, secrets, AT), "SignatureDoesNotMatch");
  expectAuthError(() => authenticate({ ...r, headers: { ...r.headers, host: "evil.localhost" } }, secrets, AT), "SignatureDoesNotMatch");
  const unknown = setParam(r, "X-Amz-Credential", `NOPE/20261121/us-east-1/s3/aws4_request`);
  expectAuthError(() => authenticate(unknown, secrets, AT), "InvalidAccessKeyId");
});

test("X-Amz-Expires, X-Amz-Date, X-Amz-Algorithm and missing parameters", async () => {
  const r = await sdkPresign({ method: "GET", hostname: "s3.localhost", path: "/bucket/key" }, { at: AT, expiresIn: 600 });
  const qpe = (req: HttpRequestParts): string => expectAuthError(() => authenticate(req, secrets, AT), "AuthorizationQueryParametersError").message;
  assert.equal(qpe(setParam(r, "X-Amz-Expires", "604801")), "X-Amz-Expires must be less than a week (in seconds) that is 604800");
  assert.equal(qpe(setParam(r, "X-Amz-Expires", "-1")), "X-Amz-Expires must be non-negative");
  assert.equal(qpe(setParam(r, "X-Amz-Expires", "soon")), "X-Amz-Expires should be a number");
  assert.equal(qpe(setParam(r, "X-Amz-Date", "2026-11-21")), `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  assert.equal(qpe(setParam(r, "X-Amz-Algorithm", "AWS4-HMAC-SHA1")), 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const requires =
    "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";
  for (const name of ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"]) {
    assert.equal(qpe(setParam(r, name, undefined)), requires, name);
  }
  assert.equal(
    qpe(setParam(r, "X-Amz-Credential", `${AKID}/20261121/us-east-1/s3`)),
    'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
  );
  // A week is allowed.
  const week = await sdkPresign({ method: "GET", hostname: "s3.localhost", path: "/bucket/key" }, { at: AT, expiresIn: 604800 });
  assert.equal(authenticate(week, secrets, AT + 604_800_000).kind, "sigv4-presigned");
});

test("a presigned URL whose signer hashed the payload checks the body", async () => {
  const hex = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"; // sha256("hello")
  const r = await sdkPresign(
    { method: "PUT", hostname: "s3.localhost", path: "/bucket/key", headers: { "X-Amz-Content-Sha256": hex } },
    { at: AT, expiresIn: 60, service: "s3-hash" },
  );
  // Signed under an unknown service name on purpose: the presigner only adds UNSIGNED-PAYLOAD for "s3".
  const { payload } = authenticate(r, secrets, AT);
  assert.deepEqual(payload, { type: "sha256", expectedHex: hex });
  assert.equal((await runThrough(createBodyVerifier(payload, {}), [Buffer.from("hello")])).error, undefined);
  const { error } = await runThrough(createBodyVerifier(payload, {}), [Buffer.from("hellp")]);
  assert.equal((error as { code?: string }).code, "XAmzContentSHA256Mismatch");
});

test("other services presign the hash of the (empty) body, checked once the body is read", async () => {
  const r = await sdkPresign({ method: "GET", hostname: "lambda.localhost", path: "/2015-03-31/functions/f%3A1" }, { at: AT, expiresIn: 60, service: "lambda" });
  const { payload, service } = authenticate(r, secrets, AT);
  assert.equal(service, "lambda");
  assert.equal(payload.type, "signature-after-body");
  assert.equal((await runThrough(createBodyVerifier(payload, {}), [])).error, undefined);
  const { error } = await runThrough(createBodyVerifier(payload, {}), [Buffer.from("x")]);
  assert.equal((error as { code?: string }).code, "SignatureDoesNotMatch");
});
