// SigV2 vectors: the examples of "Signing and authenticating REST requests" (S3 developer guide),
// with the bucket they were computed for (johnsmith; later doc revisions renamed the bucket but
// kept the signatures).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { authenticate } from "../sigv4/index.js";
import { AKID, SECRET, expectAuthError, secrets } from "../sigv4/test-support.js";
import type { HttpRequestParts } from "../sigv4/types.js";
import { canonicalizedResource, sigV2StringToSign } from "./string-to-sign.js";

function v2(
  method: string,
  rawPath: string,
  rawQuery: string,
  headers: Record<string, string>,
  signature: string,
  virtualHostBucket?: string,
): HttpRequestParts {
  return { method, rawPath, rawQuery, headers: { ...headers, authorization: `AWS ${AKID}:${signature}` }, virtualHostBucket };
}

const at = (date: string): number => Date.parse(date);

test("documentation examples verify", () => {
  const cases: Array<[string, HttpRequestParts, string]> = [
    [
      "Object GET",
      v2("GET", "/photos/puppy.jpg", "", { host: "johnsmith.s3.amazonaws.com", date: "Tue, 27 Mar 2007 19:36:42 +0000" }, "bWq2s1WEIj+Ydj0vQ697zp+IXMU=", "johnsmith"),
      "Tue, 27 Mar 2007 19:36:42 +0000",
    ],
    [
      "Object PUT",
      v2(
        "PUT",
        "/photos/puppy.jpg",
        "",
        { host: "johnsmith.s3.amazonaws.com", "content-type": "image/jpeg", "content-length": "94328", date: "Tue, 27 Mar 2007 21:15:45 +0000" },
        "MyyxeRY7whkBe+bq8fHCL/2kKUg=",
        "johnsmith",
      ),
      "Tue, 27 Mar 2007 21:15:45 +0000",
    ],
    [
      "List",
      v2("GET", "/", "prefix=photos&max-keys=50&marker=puppy", { "user-agent": "Mozilla/5.0", host: "johnsmith.s3.amazonaws.com", date: "Tue, 27 Mar 2007 19:42:41 +0000" }, "htDYFYduRNen8P9ZfE/s9SuKy0U=", "johnsmith"),
      "Tue, 27 Mar 2007 19:42:41 +0000",
    ],
    [
      "Fetch ?acl",
      v2("GET", "/", "acl", { host: "johnsmith.s3.amazonaws.com", date: "Tue, 27 Mar 2007 19:44:46 +0000" }, "c2WLPFtWHVgbEmeEG93a4cG37dM=", "johnsmith"),
      "Tue, 27 Mar 2007 19:44:46 +0000",
    ],
    [
      // The doc's StringToSign puts the date in the Date position; that is what a Date header gives.
      "Delete (path style)",
      v2("DELETE", "/johnsmith/photos/puppy.jpg", "", { "user-agent": "dotnet", host: "s3.amazonaws.com", date: "Tue, 27 Mar 2007 21:20:26 +0000" }, "lx3byBScXR6KzyMaifNkardMwNk="),
      "Tue, 27 Mar 2007 21:20:26 +0000",
    ],
    [
      "Upload with metadata (CNAME bucket)",
      v2(
        "PUT",
        "/db-backup.dat.gz",
        "",
        {
          "user-agent": "curl/7.15.5",
          host: "static.johnsmith.net:8080",
          date: "Tue, 27 Mar 2007 21:06:08 +0000",
          "x-amz-acl": "public-read",
          "content-type": "application/x-download",
          "content-md5": "4gJE4saaMU4BqNR0kLY+lw==",
          "x-amz-meta-reviewedby": "joe@johnsmith.net,jane@johnsmith.net",
          "x-amz-meta-filechecksum": "0x02661779",
          "x-amz-meta-checksumalgorithm": "crc32",
          "content-disposition": "attachment; filename=database.dat",
          "content-encoding": "gzip",
          "content-length": "5913339",
        },
        "ilyl83RwaSoYIEdixDQcA4OnAnc=",
        "static.johnsmith.net",
      ),
      "Tue, 27 Mar 2007 21:06:08 +0000",
    ],
    [
      "List all my buckets",
      v2("GET", "/", "", { host: "s3.amazonaws.com", date: "Wed, 28 Mar 2007 01:29:59 +0000" }, "qGdzdERIC03wnaRNKh6OqZehG9s="),
      "Wed, 28 Mar 2007 01:29:59 +0000",
    ],
    [
      "Unicode keys (taken literally, case of the escapes kept)",
      v2("GET", "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re", "", { host: "s3.amazonaws.com", date: "Wed, 28 Mar 2007 01:49:49 +0000" }, "DNEZGsoieTZ92F3bUfSPQcbGmlM="),
      "Wed, 28 Mar 2007 01:49:49 +0000",
    ],
  ];
  for (const [name, request, date] of cases) {
    const result = authenticate(request, secrets, at(date) + 60_000);
    assert.deepEqual(result, { kind: "sigv2", accessKeyId: AKID, region: undefined, service: undefined, payload: { type: "none" } }, name);
  }
});

test("query-string authentication example", () => {
  const request: HttpRequestParts = {
    method: "GET",
    rawPath: "/photos/puppy.jpg",
    rawQuery: "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620",
    headers: { host: "johnsmith.s3.amazonaws.com" },
    virtualHostBucket: "johnsmith",
  };
  assert.equal(authenticate(request, secrets, 1175139620_000 - 3600_000).kind, "sigv2-presigned");
  const expired = expectAuthError(() => authenticate(request, secrets, 1175139621_000), "AccessDenied");
  assert.equal(expired.message, "Request has expired");
  assert.deepEqual(expired.extra, { Expires: "2007-03-29T03:40:20Z", ServerTime: "2007-03-29T03:40:21Z" });
  const tampered = { ...request, rawPath: "/photos/kitten.jpg" };
  expectAuthError(() => authenticate(tampered, secrets, 1175139620_000 - 3600_000), "SignatureDoesNotMatch");
  const missing = expectAuthError(() => authenticate({ ...request, rawQuery: "AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1175139620" }, secrets, 0), "AccessDenied");
  assert.equal(missing.message, "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");
});

test("x-amz-date empties the Date line and is signed among the amz headers", () => {
  const headers = { host: "s3.localhost", date: "junk that is ignored", "x-amz-date": "Tue, 27 Mar 2007 21:20:26 +0000", "x-amz-meta-a": "  folded\r\n   value " };
  const stringToSign = "DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\nx-amz-meta-a:folded value\n/bucket/key";
  const signature = createHmac("sha1", SECRET).update(stringToSign).digest("base64");
  const request = v2("DELETE", "/bucket/key", "", headers, signature);
  assert.equal(sigV2StringToSign(request, "", false), stringToSign);
  assert.equal(authenticate(request, secrets, at("Tue, 27 Mar 2007 21:20:26 +0000")).kind, "sigv2");
});

test("CanonicalizedResource: sub-resources sorted, decoded, others dropped", () => {
  const resource = (rawPath: string, rawQuery: string, bucket?: string): string => canonicalizedResource({ method: "GET", rawPath, rawQuery, headers: {}, virtualHostBucket: bucket });
  assert.equal(resource("/key", "uploadId=a%2Bb&partNumber=2&max-parts=5", "b"), "/b/key?partNumber=2&uploadId=a+b");
  assert.equal(resource("/b/k", "response-content-type=text%2Fplain&versionId=3&x=1"), "/b/k?response-content-type=text/plain&versionId=3");
  assert.equal(resource("/b", "versioning"), "/b?versioning");
  assert.equal(resource("/b", "acl="), "/b?acl=");
  assert.equal(resource("", "", "b"), "/b/");
});

test("SigV2 errors carry S3's codes and fields", () => {
  const date = "Tue, 27 Mar 2007 19:36:42 +0000";
  const base = v2("GET", "/photos/puppy.jpg", "", { host: "johnsmith.s3.amazonaws.com", date }, "bWq2s1WEIj+Ydj0vQ697zp+IXMU=", "johnsmith");
  const now = at(date);
  const bad = expectAuthError(() => authenticate({ ...base, rawPath: "/photos/kitten.jpg" }, secrets, now), "SignatureDoesNotMatch");
  assert.deepEqual(Object.keys(bad.extra), ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes"]);
  assert.equal(bad.extra["StringToSign"], `GET\n\n\n${date}\n/johnsmith/photos/kitten.jpg`);
  assert.equal(bad.extra["StringToSignBytes"]!.slice(0, 11), "47 45 54 0a");
  const withKey = (auth: string): HttpRequestParts => ({ ...base, headers: { ...base.headers, authorization: auth } });
  expectAuthError(() => authenticate(withKey("AWS NOPE:bWq2s1WEIj+Ydj0vQ697zp+IXMU="), secrets, now), "InvalidAccessKeyId");
  const malformed = expectAuthError(() => authenticate(withKey("AWS AKIAIOSFODNN7EXAMPLE"), secrets, now), "InvalidArgument");
  assert.equal(malformed.message, "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature");
  const noDate = { ...base, headers: { host: "johnsmith.s3.amazonaws.com", authorization: base.headers["authorization"]! } };
  expectAuthError(() => authenticate(noDate, secrets, now), "AccessDenied");
  const skewed = expectAuthError(() => authenticate(base, secrets, now + 16 * 60_000), "RequestTimeTooSkewed");
  assert.equal(skewed.extra["RequestTime"], date);
  assert.equal(skewed.extra["MaxAllowedSkewMilliseconds"], "900000");
});
