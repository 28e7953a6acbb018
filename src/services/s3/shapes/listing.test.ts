import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S3Error } from "../errors.js";
import { decodeContinuationToken, encodeContinuationToken } from "../ops/list-objects-v2.js";
import { parseEncodingType, parseMaxKeys } from "./listing-params.js";
import { s3UrlEncode } from "./listing-xml.js";

const q = (s: string): URLSearchParams => new URLSearchParams(s);

function throwsS3(fn: () => unknown, message: string, fields: Record<string, string>): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof S3Error);
    assert.equal(err.code, "InvalidArgument");
    assert.equal(err.message, message);
    assert.deepEqual(err.fields, fields);
    return true;
  });
}

describe("listing parameters", () => {
  it("max-keys: default 1000 when absent or empty, integers as sent, junk refused", () => {
    assert.equal(parseMaxKeys(q("")), 1000);
    assert.equal(parseMaxKeys(q("max-keys=")), 1000);
    assert.equal(parseMaxKeys(q("max-keys=0")), 0);
    assert.equal(parseMaxKeys(q("max-keys=5000")), 5000);
    assert.equal(parseMaxKeys(q("max-keys=-3")), -3);
    for (const bad of ["blah", "1.5", "1e3", "2147483648", " 7"]) {
      throwsS3(() => parseMaxKeys(q(`max-keys=${encodeURIComponent(bad)}`)), "Provided max-keys not an integer or within integer range", {
        ArgumentName: "max-keys",
        ArgumentValue: bad,
      });
    }
  });

  it("encoding-type: only url", () => {
    assert.equal(parseEncodingType(q("")), false);
    assert.equal(parseEncodingType(q("encoding-type=url")), true);
    for (const bad of ["", "base64"]) {
      throwsS3(() => parseEncodingType(q(`encoding-type=${bad}`)), "Invalid Encoding Method specified in Request", { ArgumentName: "encoding-type", ArgumentValue: bad });
    }
  });
});

describe("encoding-type=url", () => {
  it("keeps letters, digits, - _ . * and /, writes a space as +, and %XX-encodes every other UTF-8 byte", () => {
    assert.equal(s3UrlEncode("photos/2024/a_b-c.d*e"), "photos/2024/a_b-c.d*e");
    assert.equal(s3UrlEncode("a b+c"), "a+b%2Bc");
    assert.equal(s3UrlEncode("100%"), "100%25");
    assert.equal(s3UrlEncode("~!'()"), "%7E%21%27%28%29");
    assert.equal(s3UrlEncode("\u00e9\u{1F600}"), "%C3%A9%F0%9F%98%80");
    assert.equal(s3UrlEncode("\u0001\n&<>"), "%01%0A%26%3C%3E");
  });

  it("decodes back to the original with a form decoder (as botocore does)", () => {
    const key = "a b+c/%/\u00e9/\u0000?#";
    assert.equal(decodeURIComponent(s3UrlEncode(key).replace(/\+/g, " ")), key);
  });
});

describe("continuation tokens", () => {
  it("round-trip any resume point and are not the key in clear", () => {
    for (const key of ["a", "photos/", "\u00e9 \u{1F600}/x+y", "k".repeat(1024)]) {
      const token = encodeContinuationToken(key);
      assert.match(token, /^[A-Za-z0-9+/]+={0,2}$/);
      assert.notEqual(token, key);
      assert.equal(decodeContinuationToken(token), key);
    }
  });

  it("refuse anything this server did not hand out", () => {
    const forged = [
      "garbage!",
      "bm90LWEtdG9rZW4=", // base64 of a bare key, without the format byte
      Buffer.of(0x01).toString("base64"), // no resume point
      Buffer.of(0x01, 0xc3).toString("base64"), // not UTF-8
      `${encodeContinuationToken("abc")}==`,
      encodeContinuationToken("abc").replace(/=+$/, ""),
    ];
    for (const token of forged) {
      throwsS3(() => decodeContinuationToken(token), "The continuation token provided is incorrect", { ArgumentName: "continuation-token" });
    }
  });
});
