import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S3Error } from "../errors.js";
import { checkPolicy, lengthRange, parsePolicy, type PostPolicy } from "./policy.js";

const encode = (doc: unknown): string => Buffer.from(JSON.stringify(doc)).toString("base64");
const NOW = Date.parse("2026-11-21T12:00:00Z");
const policy = (conditions: unknown[], expiration = "2026-11-21T13:00:00.000Z"): PostPolicy => parsePolicy(encode({ expiration, conditions }));

function denied(fn: () => void, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof S3Error);
    assert.equal(err.code, "AccessDenied");
    assert.equal(err.message, message);
    return true;
  });
}

describe("POST policy", () => {
  it("parses exact matches, eq, starts-with and content-length-range", () => {
    const p = policy([{ bucket: "b" }, ["eq", "$Key", "k"], ["starts-with", "$x-amz-meta-tag", ""], ["content-length-range", 1, "100"]]);
    assert.equal(p.expiration, Date.parse("2026-11-21T13:00:00.000Z"));
    assert.deepEqual(
      p.conditions.map((c) => (c.kind === "content-length-range" ? [c.kind, c.min, c.max] : [c.kind, c.field, c.value, c.text])),
      [
        ["eq", "bucket", "b", '["eq", "$bucket", "b"]'],
        ["eq", "key", "k", '["eq", "$Key", "k"]'],
        ["starts-with", "x-amz-meta-tag", "", '["starts-with", "$x-amz-meta-tag", ""]'],
        ["content-length-range", 1, 100],
      ],
    );
    assert.deepEqual(lengthRange(p), { min: 1, max: 100 });
  });

  it("refuses documents that are not policies with InvalidPolicyDocument", () => {
    for (const bad of ["not base64 json", encode([]), encode({ conditions: [] }), encode({ expiration: "tomorrow", conditions: [] }), encode({ expiration: "2026-11-21T13:00:00Z" }), encode({ expiration: "2026-11-21T13:00:00Z", conditions: [["ends-with", "$key", "x"]] }), encode({ expiration: "2026-11-21T13:00:00Z", conditions: [["eq", "key", "x"]] }), encode({ expiration: "2026-11-21T13:00:00Z", conditions: [["content-length-range", -1, 5]] })]) {
      assert.throws(() => parsePolicy(bad), (err: unknown) => err instanceof S3Error && err.code === "InvalidPolicyDocument" && err.message.startsWith("Invalid Policy: "));
    }
  });

  it("checks expiry, every condition, and that every field is covered", () => {
    const p = policy([{ bucket: "b" }, ["starts-with", "$key", "user/"], ["starts-with", "$Content-Type", "image/"], { "x-amz-date": "d" }]);
    const fields = (extra: Record<string, string> = {}): Map<string, string> =>
      new Map(Object.entries({ bucket: "b", key: "user/a.png", "content-type": "image/png", "x-amz-date": "d", ...extra }));
    const names = ["key", "Content-Type", "X-Amz-Date", "Policy", "X-Amz-Signature", "x-ignore-comment"];
    checkPolicy(p, fields(), names, NOW);
    checkPolicy(p, fields({ "content-type": "image/png, image/jpeg" }), names, NOW);
    denied(() => checkPolicy(p, fields({ "content-type": "image/png, text/html" }), names, NOW), 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]');
    denied(() => checkPolicy(p, fields({ key: "admin/x" }), names, NOW), 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/"]');
    denied(() => checkPolicy(p, fields({ bucket: "other" }), names, NOW), 'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "b"]');
    denied(() => checkPolicy(p, fields(), [...names, "acl"], NOW), "Invalid according to Policy: Extra input fields: acl");
    denied(() => checkPolicy(p, fields(), names, Date.parse("2026-11-21T13:00:01Z")), "Invalid according to Policy: Policy expired.");
  });
});
