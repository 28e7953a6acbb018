import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { AuthError } from "../auth-error.js";
import { parseAuthorizationHeader, parseCredential, peekCredentialScope } from "./credential.js";
import { deriveSigningKey, signHex, signHexJoined } from "./signing.js";

const CRED = "AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request";
const SCOPE = { accessKeyId: "AKIDEXAMPLE", date: "20150830", region: "us-east-1", service: "iam" };

test("Authorization header: the SDK form and its variants read the same", () => {
  const expected = { credential: SCOPE, signedHeaders: "host;x-amz-date", signature: "abc123" };
  for (const value of [
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;x-amz-date, Signature=abc123`,
    `AWS4-HMAC-SHA256 Credential=${CRED},SignedHeaders=host;x-amz-date,Signature=abc123`,
    `AWS4-HMAC-SHA256  Credential=${CRED} ,  SignedHeaders=host;x-amz-date\t, Signature=abc123 `,
    `AWS4-HMAC-SHA256 Signature=abc123, Credential=${CRED}, SignedHeaders=host;x-amz-date`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;x-amz-date, Signature=abc123,`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, Foo=bar, SignedHeaders=host;x-amz-date, Signature=abc123`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;x-amz-date, Signature=zzz, Signature=abc123`,
    `AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host;x-amz-date, Signature=abc123\u00a0`,
  ]) {
    assert.deepEqual({ ...parseAuthorizationHeader(value) }, expected, value);
  }
  // A value with '=' or inner spaces is kept as the general reading keeps it.
  assert.equal(parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=a b, Signature=x=y`).signature, "x=y");
  assert.equal(parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=a b, Signature=x=y`).signedHeaders, "a b");
  assert.equal(parseAuthorizationHeader(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=`).signature, "");
});

test("Authorization header: malformed forms keep S3's errors", () => {
  const code = (value: string): string => {
    try {
      parseAuthorizationHeader(value);
    } catch (err) {
      assert.ok(err instanceof AuthError);
      return `${err.code}: ${err.message}`;
    }
    return "no error";
  };
  assert.match(code(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host`), /AuthorizationHeaderMalformed: .*requires three components/);
  assert.match(code(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature`), /component "Signature" is malformed/);
  assert.match(code(`AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam, SignedHeaders=host, Signature=x`), /Credential is mal-formed/);
  assert.match(code(`AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws5_request, SignedHeaders=host, Signature=x`), /incorrect terminal "aws5_request"/);
});

test("credentials: a repeated credential reads the same (and cannot be changed by a caller)", () => {
  const a = parseCredential(CRED, "header");
  const b = parseCredential(CRED, "query");
  assert.deepEqual({ ...a }, SCOPE);
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a));
  assert.throws(() => parseCredential("AKID//us-east-1/s3/aws4_request", "query"), /AuthorizationQueryParametersError|mal-formed/);
});

test("signHex / signHexJoined are HMAC-SHA256, hex", () => {
  // A derived key takes the precomputed-pad path.
  const key = deriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
  const head = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n";
  const hex = "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59";
  const expected = createHmac("sha256", key).update(head + hex).digest("hex");
  assert.equal(signHex(key, head + hex), expected);
  assert.equal(signHexJoined(key, head, hex), expected);
  // Non-ASCII scope text is signed as UTF-8.
  const odd = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/région/s3/aws4_request\n";
  assert.equal(signHexJoined(key, odd, hex), createHmac("sha256", key).update(odd + hex, "utf8").digest("hex"));
});

test("routing peek at the credential scope", () => {
  const peek = (authorization: string, rawQuery = ""): unknown => {
    const scope = peekCredentialScope({ method: "GET", rawPath: "/", rawQuery, headers: { authorization } });
    return scope === undefined ? undefined : { ...scope };
  };
  assert.deepEqual(peek(`AWS4-HMAC-SHA256 Credential=${CRED}, SignedHeaders=host, Signature=x`), SCOPE);
  assert.deepEqual(peek(`AWS4-HMAC-SHA256 Credential=${CRED}\t, SignedHeaders=host, Signature=x`), SCOPE);
  assert.deepEqual(peek(`AWS4-HMAC-SHA256 Signature=x, Credential=${CRED}`), SCOPE);
  // An empty first credential: the first non-empty one, as the pattern finds it.
  assert.deepEqual(peek(`AWS4-HMAC-SHA256 Credential=, Credential=${CRED}`), SCOPE);
  assert.equal(peek(`AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam, SignedHeaders=host, Signature=x`), undefined);
  assert.equal(peek("AWS AKID:sig"), undefined);
});
