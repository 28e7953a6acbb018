// Requests signed by @smithy/signature-v4 (the AWS SDK for JavaScript v3 signer) must verify;
// every tampered part must fail with S3's error code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { authenticate, createBodyVerifier, peekCredentialScope } from "./index.js";
import { AKID, SECRET, escapeUri, expectAuthError, runThrough, sdkSign, secrets } from "./test-support.js";
import type { HttpRequestParts } from "./types.js";

const AT = Date.UTC(2026, 10, 21, 12, 0, 0);
const s3Path = (bucket: string, key: string): string => `/${bucket}/${key.split("/").map(escapeUri).join("/")}`;
const with_ = (r: HttpRequestParts, change: Partial<HttpRequestParts>): HttpRequestParts => ({ ...r, ...change });
const withHeaders = (r: HttpRequestParts, headers: Record<string, string | undefined>): HttpRequestParts => {
  const merged: Record<string, string> = { ...r.headers };
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) delete merged[k];
    else merged[k] = v;
  }
  return { ...r, headers: merged };
};

test("S3 keys with unicode, spaces, '+', '%', '//' and dot segments verify as sent", async () => {
  const keys = ["photos/日本語 file.txt", "a+b=c&d", "100%/done", "a//b///c", "x/./y/../z", "emoji 🎉/ü", "it's (1)*!"];
  for (const key of keys) {
    const r = await sdkSign({ method: "GET", hostname: "s3.localhost", path: s3Path("bucket", key) }, { at: AT });
    const result = authenticate(r, secrets, AT);
    assert.equal(result.kind, "sigv4", key);
    assert.equal(result.service, "s3");
  }
});

test("query canonicalization: sorted, RFC 3986, valueless parameters, repeated names", async () => {
  const query = { prefix: "dir/sub dir/+x", delimiter: "/", "list-type": "2", "continuation-token": "a=b+c/d", uploads: "", tag: ["z", "a"] };
  const r = await sdkSign({ method: "GET", hostname: "bucket.s3.localhost", path: "/", query }, { at: AT });
  assert.equal(authenticate(r, secrets, AT).kind, "sigv4");
  // The same request with the parameters in another order on the wire.
  const reordered = r.rawQuery.split("&").reverse().join("&");
  assert.equal(authenticate(with_(r, { rawQuery: reordered }), secrets, AT).kind, "sigv4");
});

test("a path escaped differently than it was signed still verifies (decoded and re-encoded)", async () => {
  const r = await sdkSign({ method: "GET", hostname: "s3.localhost", path: s3Path("bucket", "it's $5 (x)!") }, { at: AT });
  assert.equal(authenticate(with_(r, { rawPath: "/bucket/it's%20$5%20(x)!" }), secrets, AT).kind, "sigv4");
  // And a client that signed the path exactly as it sent it, unescaped characters included.
  const raw = await sdkSign({ method: "GET", hostname: "s3.localhost", path: "/bucket/a:b@c,d" }, { at: AT });
  assert.equal(authenticate(raw, secrets, AT).kind, "sigv4");
});

test("kinesis: path double-encoded and normalized, payload hash checked after the body", async () => {
  const body = JSON.stringify({ StreamName: "s", Data: "aGk=", PartitionKey: "p" });
  const r = await sdkSign(
    {
      method: "POST",
      hostname: "kinesis.us-east-1.amazonaws.com",
      path: "/",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.PutRecord" },
      body,
    },
    { at: AT, service: "kinesis" },
  );
  assert.equal(r.headers["x-amz-content-sha256"], undefined);
  const result = authenticate(r, secrets, AT);
  assert.equal(result.service, "kinesis");
  assert.equal(result.payload.type, "signature-after-body");
  const ok = await runThrough(createBodyVerifier(result.payload, {}), [Buffer.from(body)]);
  assert.equal(ok.error, undefined);
  assert.equal(ok.data.toString(), body);
  const bad = await runThrough(createBodyVerifier(result.payload, {}), [Buffer.from(body.replace("aGk=", "aGl="))]);
  assert.equal((bad.error as { code?: string }).code, "SignatureDoesNotMatch");
});

test("double encoding applies to every service but S3", async () => {
  const path = "/2015-03-31/functions/my%3Afn/invocations";
  const lambda = await sdkSign({ method: "POST", hostname: "lambda.localhost", path, body: "{}" }, { at: AT, service: "lambda" });
  const result = authenticate(lambda, secrets, AT);
  assert.equal(result.payload.type, "signature-after-body");
  assert.equal((await runThrough(createBodyVerifier(result.payload, {}), [Buffer.from("{}")])).error, undefined);

  // Normalization: the SDK signs /a/b/d for /a//b/./c/../d.
  const dotted = await sdkSign({ method: "GET", hostname: "lambda.localhost", path: "/a//b/./c/../d", body: "" }, { at: AT, service: "lambda" });
  const dottedResult = authenticate(dotted, secrets, AT);
  assert.equal((await runThrough(createBodyVerifier(dottedResult.payload, {}), [])).error, undefined);

  // S3 signs a '%' in the path once, other services twice: the wrong rule does not verify.
  const s3Double = await sdkSign({ method: "GET", hostname: "s3.localhost", path: "/bucket/100%25" }, { at: AT, uriEscapePath: true });
  expectAuthError(() => authenticate(s3Double, secrets, AT), "SignatureDoesNotMatch");
  const s3Single = await sdkSign({ method: "GET", hostname: "s3.localhost", path: "/bucket/100%25" }, { at: AT });
  assert.equal(authenticate(s3Single, secrets, AT).kind, "sigv4");
  const lambdaSingle = await sdkSign({ method: "POST", hostname: "lambda.localhost", path, body: "{}" }, { at: AT, service: "lambda", uriEscapePath: false });
  const single = authenticate(lambdaSingle, secrets, AT);
  const { error } = await runThrough(createBodyVerifier(single.payload, {}), [Buffer.from("{}")]);
  assert.equal((error as { code?: string }).code, "SignatureDoesNotMatch");
});

test("SignatureDoesNotMatch carries S3's diagnostic fields", async () => {
  const r = await sdkSign({ method: "GET", hostname: "s3.localhost", path: "/bucket/key" }, { at: AT });
  const tampered = withHeaders(r, { authorization: r.headers["authorization"]!.replace(/Signature=.{8}/, "Signature=00000000") });
  const err = expectAuthError(() => authenticate(tampered, secrets, AT), "SignatureDoesNotMatch");
  assert.equal(err.message, "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
  assert.deepEqual(Object.keys(err.extra), ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes", "CanonicalRequest", "CanonicalRequestBytes"]);
  assert.equal(err.extra["AWSAccessKeyId"], AKID);
  assert.match(err.extra["StringToSign"]!, /^AWS4-HMAC-SHA256\n20261121T120000Z\n20261121\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/);
  assert.match(err.extra["StringToSignBytes"]!, /^41 57 53 34 2d 48 4d 41 43/);
  assert.equal(
    err.extra["CanonicalRequest"],
    `GET\n/bucket/key\n\nhost:s3.localhost\nx-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nx-amz-date:20261121T120000Z\n\nhost;x-amz-content-sha256;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`,
  );
});

test("every tampered part fails with S3's error code", async () => {
  const r = await sdkSign(
    { method: "PUT", hostname: "s3.localhost", path: "/bucket/key", query: { partNumber: "1", uploadId: "u" }, headers: { "x-amz-meta-a": "1", "content-type": "text/plain" }, body: "hello" },
    { at: AT },
  );
  assert.equal(authenticate(r, secrets, AT).kind, "sigv4");
  const sdm = "SignatureDoesNotMatch";
  expectAuthError(() => authenticate(with_(r, { method: "POST" }), secrets, AT), sdm);
  expectAuthError(() => authenticate(with_(r, { rawPath: "/bucket/key2" }), secrets, AT), sdm);
  expectAuthError(() => authenticate(with_(r, { rawQuery: "partNumber=2&uploadId=u" }), secrets, AT), sdm);
  expectAuthError(() => authenticate(withHeaders(r, { "x-amz-meta-a": "2" }), secrets, AT), sdm);
  expectAuthError(() => authenticate(withHeaders(r, { "content-type": "text/html" }), secrets, AT), sdm);
  expectAuthError(() => authenticate(withHeaders(r, { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }), secrets, AT), sdm);
  const otherSecret = await sdkSign({ method: "GET", hostname: "s3.localhost", path: "/b/k" }, { at: AT, secret: "not-the-secret" });
  expectAuthError(() => authenticate(otherSecret, secrets, AT), sdm);

  const unknown = withHeaders(r, { authorization: r.headers["authorization"]!.replace(AKID, "AKIDUNKNOWN") });
  const invalidKey = expectAuthError(() => authenticate(unknown, secrets, AT), "InvalidAccessKeyId");
  assert.equal(invalidKey.message, "The AWS Access Key Id you provided does not exist in our records.");

  const noDate = expectAuthError(() => authenticate(withHeaders(r, { "x-amz-date": undefined }), secrets, AT), "AccessDenied");
  assert.equal(noDate.message, "AWS authentication requires a valid Date or x-amz-date header");
  expectAuthError(() => authenticate(withHeaders(r, { "x-amz-date": "yesterday" }), secrets, AT), "AccessDenied");

  const skewed = expectAuthError(() => authenticate(r, secrets, AT + 15 * 60_000 + 1), "RequestTimeTooSkewed");
  assert.deepEqual(skewed.extra, { RequestTime: "20261121T120000Z", ServerTime: "2026-11-21T12:15:00Z", MaxAllowedSkewMilliseconds: "900000" });
  assert.equal(authenticate(r, secrets, AT - 15 * 60_000).kind, "sigv4");

  const noSha = expectAuthError(() => authenticate(withHeaders(r, { "x-amz-content-sha256": undefined }), secrets, AT), "InvalidRequest");
  assert.equal(noSha.message, "Missing required header for this request: x-amz-content-sha256");
  const badSha = expectAuthError(() => authenticate(withHeaders(r, { "x-amz-content-sha256": "abc" }), secrets, AT), "InvalidArgument");
  assert.deepEqual(badSha.extra, { ArgumentName: "x-amz-content-sha256", ArgumentValue: "abc" });

  const unsigned = expectAuthError(() => authenticate(withHeaders(r, { "x-amz-acl": "public-read", "x-amz-meta-b": "x" }), secrets, AT), "AccessDenied");
  assert.equal(unsigned.message, "There were headers present in the request which were not signed");
  assert.deepEqual(unsigned.extra, { HeadersNotSigned: "x-amz-acl, x-amz-meta-b" });
  // Unsigned headers that are not x-amz-* are fine (proxies add them).
  assert.equal(authenticate(withHeaders(r, { "user-agent": "curl", "x-forwarded-for": "1.2.3.4" }), secrets, AT).kind, "sigv4");
});

test("the body of a signed PUT must hash to x-amz-content-sha256", async () => {
  const r = await sdkSign({ method: "PUT", hostname: "s3.localhost", path: "/bucket/key", body: "hello" }, { at: AT });
  const result = authenticate(r, secrets, AT);
  assert.equal(result.payload.type, "sha256");
  assert.equal((await runThrough(createBodyVerifier(result.payload, {}), [Buffer.from("hel"), Buffer.from("lo")])).error, undefined);
  const { error } = await runThrough(createBodyVerifier(result.payload, {}), [Buffer.from("hellO")]);
  const err = error as { code?: string; extra?: Record<string, string> };
  assert.equal(err.code, "XAmzContentSHA256Mismatch");
  assert.deepEqual(Object.keys(err.extra ?? {}), ["ClientComputedContentSHA256", "S3ComputedContentSHA256"]);
  assert.equal(err.extra?.["ClientComputedContentSHA256"], r.headers["x-amz-content-sha256"]);
});

test("malformed Authorization headers get S3's messages", async () => {
  const r = await sdkSign({ method: "GET", hostname: "s3.localhost", path: "/bucket/key" }, { at: AT });
  const auth = r.headers["authorization"]!;
  const malformed = (value: string): string =>
    expectAuthError(() => authenticate(withHeaders(r, { authorization: value }), secrets, AT), "AuthorizationHeaderMalformed").message;
  assert.equal(
    malformed(auth.replace(/, Signature=[0-9a-f]+/, "")),
    "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.",
  );
  assert.equal(
    malformed(auth.replace("/s3/aws4_request", "/s3")),
    'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
  );
  assert.equal(
    malformed(auth.replace("aws4_request", "aws4_reqest")),
    'The authorization header is malformed; incorrect terminal "aws4_reqest". This endpoint uses "aws4_request".',
  );
  assert.equal(
    malformed(auth.replace("/20261121/", "/20261120/")),
    'The authorization header is malformed; Invalid credential date "20261120". This date is not the same as X-Amz-Date: "20261121".',
  );
  assert.equal(malformed(`${auth}, Junk`), 'The authorization header is malformed; the authorization component "Junk" is malformed.');
  const other = expectAuthError(() => authenticate(withHeaders(r, { authorization: "Bearer abc" }), secrets, AT), "InvalidArgument");
  assert.deepEqual(other.extra, { ArgumentName: "Authorization", ArgumentValue: "Bearer abc" });
  const both = expectAuthError(() => authenticate(with_(r, { rawQuery: "X-Amz-Algorithm=AWS4-HMAC-SHA256" }), secrets, AT), "InvalidArgument");
  assert.match(both.message, /^Only one auth mechanism allowed/);
});

test("a Date header stands in for x-amz-date (signed in ISO 8601 basic form)", () => {
  const date = "Sat, 21 Nov 2026 12:00:00 GMT";
  const canonical = `GET\n/bucket/key\n\ndate:${date}\nhost:s3.localhost\nx-amz-content-sha256:UNSIGNED-PAYLOAD\n\ndate;host;x-amz-content-sha256\nUNSIGNED-PAYLOAD`;
  const toSign = `AWS4-HMAC-SHA256\n20261121T120000Z\n20261121/us-east-1/s3/aws4_request\n${createHash("sha256").update(canonical).digest("hex")}`;
  const h = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();
  const key = h(h(h(h(`AWS4${SECRET}`, "20261121"), "us-east-1"), "s3"), "aws4_request");
  const signature = h(key, toSign).toString("hex");
  const headers = {
    host: "s3.localhost",
    date,
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    authorization: `AWS4-HMAC-SHA256 Credential=${AKID}/20261121/us-east-1/s3/aws4_request, SignedHeaders=date;host;x-amz-content-sha256, Signature=${signature}`,
  };
  const result = authenticate({ method: "GET", rawPath: "/bucket/key", rawQuery: "", headers }, secrets, AT);
  assert.deepEqual(result.payload, { type: "none" });
});

test("anonymous requests and credential-scope peeking", async () => {
  const anon = authenticate({ method: "GET", rawPath: "/bucket/key", rawQuery: "", headers: { host: "s3.localhost" } }, secrets, AT);
  assert.deepEqual(anon, { kind: "anonymous", accessKeyId: undefined, region: undefined, service: undefined, payload: { type: "none" } });
  const chunked = authenticate(
    { method: "PUT", rawPath: "/b/k", rawQuery: "", headers: { "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-decoded-content-length": "5" } },
    secrets,
    AT,
  );
  assert.deepEqual(chunked.payload, { type: "streaming-unsigned-trailer", decodedLength: 5 });

  const r = await sdkSign({ method: "POST", hostname: "kinesis.localhost", path: "/", body: "{}" }, { at: AT, service: "kinesis", region: "eu-west-1" });
  assert.deepEqual(peekCredentialScope(r), { accessKeyId: AKID, date: "20261121", region: "eu-west-1", service: "kinesis" });
  const q = "X-Amz-Credential=AKID%2F20261121%2Fus-east-2%2Ffirehose%2Faws4_request&X-Amz-Date=x";
  assert.deepEqual(peekCredentialScope({ method: "GET", rawPath: "/", rawQuery: q, headers: {} }), {
    accessKeyId: "AKID",
    date: "20261121",
    region: "us-east-2",
    service: "firehose",
  });
  assert.equal(peekCredentialScope({ method: "GET", rawPath: "/", rawQuery: "", headers: { authorization: "AWS4-HMAC-SHA256 Credential=x/y" } }), undefined);
  assert.equal(peekCredentialScope({ method: "GET", rawPath: "/", rawQuery: "", headers: { authorization: "AWS a:b" } }), undefined);
});
