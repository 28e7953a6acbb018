import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toS3Error } from "../errors.js";
import { corsHeaders, findCorsRule, requestedHeaders, wildcardMatch } from "./evaluate.js";
import { decodeCorsRules, encodeCorsRules, parseCorsXml, type CorsRule } from "./rules.js";

const rule = (r: Partial<CorsRule>): CorsRule => ({
  id: undefined,
  allowedOrigins: ["*"],
  allowedMethods: ["GET"],
  allowedHeaders: [],
  exposeHeaders: [],
  maxAgeSeconds: undefined,
  ...r,
});

function rejects(body: string, code: string, message?: string): void {
  assert.throws(
    () => parseCorsXml(body),
    // XML that does not parse is mapped to MalformedXML in one place (toS3Error).
    (err: unknown) => toS3Error(err).code === code && (message === undefined || toS3Error(err).message === message),
  );
}

describe("CORS rules", () => {
  it("parses every element, in order, and survives the store round trip", () => {
    const rules = parseCorsXml(
      `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule><ID>a</ID><AllowedOrigin>https://x.test</AllowedOrigin>` +
        `<AllowedOrigin>http://*.y.test</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader>` +
        `<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule></CORSConfiguration>`,
    );
    assert.deepEqual(rules, [
      rule({ id: "a", allowedOrigins: ["https://x.test", "http://*.y.test"], allowedMethods: ["PUT", "GET"], allowedHeaders: ["*"], exposeHeaders: ["ETag"], maxAgeSeconds: 600 }),
      rule({ allowedMethods: ["HEAD"] }),
    ]);
    assert.deepEqual(decodeCorsRules(encodeCorsRules(rules)), rules);
  });

  it("refuses what S3 refuses", () => {
    const one = (inner: string): string => `<CORSConfiguration><CORSRule>${inner}</CORSRule></CORSConfiguration>`;
    rejects(one("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>"), "InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method is PATCH");
    rejects(one("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>get</AllowedMethod>"), "InvalidRequest");
    rejects(one("<AllowedOrigin>http://*.*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>"), "InvalidRequest", 'AllowedOrigin "http://*.*" can not have more than one wildcard.');
    rejects(one("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>x-*-*</AllowedHeader>"), "InvalidRequest");
    rejects(one("<AllowedMethod>GET</AllowedMethod>"), "MalformedXML");
    rejects(one("<AllowedOrigin>*</AllowedOrigin>"), "MalformedXML");
    rejects(one("<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>soon</MaxAgeSeconds>"), "MalformedXML");
    rejects("<CORSConfiguration></CORSConfiguration>", "MalformedXML");
    rejects("<CORSConfiguration><CORSRule>", "MalformedXML");
    rejects("", "MalformedXML");
    const many = (n: number): string => `<CORSConfiguration>${"<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>".repeat(n)}</CORSConfiguration>`;
    assert.equal(parseCorsXml(many(100)).length, 100);
    rejects(many(101), "MalformedXML");
  });
});

describe("CORS evaluation", () => {
  it("one wildcard matches any run of characters, anywhere", () => {
    assert.ok(wildcardMatch("*", ""));
    assert.ok(wildcardMatch("https://*.example.com", "https://a.b.example.com"));
    assert.ok(!wildcardMatch("https://*.example.com", "https://example.com"));
    assert.ok(wildcardMatch("x-amz-*", "x-amz-meta-a"));
    assert.ok(wildcardMatch("https://app.test", "https://app.test"));
    assert.ok(!wildcardMatch("https://app.test", "https://APP.test"));
    assert.ok(!wildcardMatch("a*a", "a"));
  });

  it("the first rule allowing origin, method and every requested header wins", () => {
    const rules = [
      rule({ id: "put", allowedOrigins: ["https://app.test"], allowedMethods: ["PUT"], allowedHeaders: ["Content-Type", "x-amz-*"] }),
      rule({ id: "read", allowedMethods: ["GET", "HEAD"] }),
    ];
    assert.equal(findCorsRule(rules, "https://app.test", "PUT", ["content-type", "x-amz-meta-a"])?.id, "put");
    assert.equal(findCorsRule(rules, "https://app.test", "PUT", ["authorization"]), undefined);
    assert.equal(findCorsRule(rules, "https://other.test", "PUT"), undefined);
    assert.equal(findCorsRule(rules, "https://other.test", "GET")?.id, "read");
    assert.deepEqual(requestedHeaders(" Content-Type ,X-Amz-Date,, "), ["content-type", "x-amz-date"]);
  });

  it("answers '*' without credentials for an any-origin rule, echoes the origin otherwise", () => {
    assert.deepEqual(corsHeaders(rule({ allowedMethods: ["GET", "HEAD"] }), "https://a.test"), {
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "GET, HEAD",
      vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
    });
    const h = corsHeaders(rule({ allowedOrigins: ["https://a.test"], exposeHeaders: ["ETag"], maxAgeSeconds: 5 }), "https://a.test", ["content-type"]);
    assert.equal(h["access-control-allow-origin"], "https://a.test");
    assert.equal(h["access-control-allow-credentials"], "true");
    assert.equal(h["access-control-allow-headers"], "content-type");
    assert.equal(h["access-control-expose-headers"], "ETag");
    assert.equal(h["access-control-max-age"], "5");
  });
});
