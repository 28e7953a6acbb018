import assert from "node:assert/strict";
import { test } from "node:test";
import { AuthError } from "../auth-error.js";
import { jsonAuthError } from "./auth-errors.js";
import { parseScalarText, parseShape } from "./parse-shape.js";
import type { ShapeTable } from "./shape-def.js";
import { toJsonBody } from "./serialize.js";
import { findViolations, validationMessage } from "./validate-shape.js";

const shapes: ShapeTable = {
  Req: {
    type: "structure",
    members: { Name: "Name", Count: "Count", When: "Time", Data: "Data", Tags: "Tags", Items: "Items", Path: "Name" },
    required: ["Name"],
    bindings: { Path: { location: "uri", name: "Path" } },
  },
  Name: { type: "string", min: 1, max: 5, pattern: "[\\u0020-\\uD7FF\\uE000-\\uFFFD\\uD800\\uDC00-\\uDBFF\\uDFFF\\t]*" },
  Count: { type: "integer", min: 1, max: 10 },
  Time: { type: "timestamp" },
  Data: { type: "blob" },
  Tags: { type: "map", key: "Name", value: "Name", max: 2 },
  Items: { type: "list", member: "Item" },
  Item: { type: "structure", members: { Kind: "Kind" }, required: ["Kind"] },
  Kind: { type: "string", enum: ["A", "B"] },
};

const options = { shapes, error: (m: string) => new Error(`SER: ${m}`) };

test("parseShape coerces types, drops unknown and bound members", () => {
  const input = parseShape({ Name: "ab", Count: 3.7, When: 1.5, Data: "aGk=", Extra: 1, Path: "x", Items: [{ Kind: "A" }] }, "Req", options);
  assert.deepEqual(input, { Name: "ab", Count: 3, When: new Date(1500), Data: new Uint8Array(Buffer.from("hi")), Items: [{ Kind: "A" }] });
  assert.throws(() => parseShape({ Name: 5 }, "Req", options), /SER: class java.math.BigDecimal can not be converted to an String/);
  assert.throws(() => parseShape({ Items: {} }, "Req", options), /Start of structure or map found where not expected/);
  assert.throws(() => parseShape({ Data: "abc" }, "Req", options), /Base64 encoded length is expected a multiple of 4/);
  assert.throws(() => parseShape([], "Req", options), /Start of list/);
  assert.equal(parseScalarText("7", "Count", options), 7);
  assert.throws(() => parseScalarText("seven", "Count", options), /SER/);
});

test("parseShape's service quirks: whole blob quotes, strict base64 padding, floored integers; CBOR bytes are not maps", () => {
  const long = "A".repeat(70) + "a";
  assert.throws(() => parseShape({ Data: long }, "Req", options), (e: Error) => e.message === `SER: '${long.slice(0, 64)}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 71`);
  const kinesisLike = { ...options, quoteWholeBlob: true, strictBase64: true, floorIntegers: true };
  assert.throws(() => parseShape({ Data: long }, "Req", kinesisLike), (e: Error) => e.message.startsWith(`SER: '${long}' can not`));
  assert.deepEqual(parseShape({ Data: "aGl=" }, "Req", options), { Data: new Uint8Array(Buffer.from("hi")) });
  assert.throws(() => parseShape({ Data: "aGl=" }, "Req", kinesisLike), /SER: 'aGl=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected/);
  assert.deepEqual(parseShape({ Count: -1.5 }, "Req", options), { Count: -1 });
  assert.deepEqual(parseShape({ Count: -1.5 }, "Req", kinesisLike), { Count: -2 });
  assert.throws(() => parseShape({ Tags: new Uint8Array(1) }, "Req", options), /SER: Expected map or null/);
  assert.throws(() => parseShape({ Items: new Uint8Array(1) }, "Req", options), /SER: Expected list or null/);
});

test("findViolations words constraints as AWS does and reads Java surrogate classes as code points", () => {
  assert.deepEqual(findViolations({ Name: "ok\u{1F600}" }, "Req", shapes), []);
  const v = findViolations({ Name: "toolong", Count: 0, Tags: { a: "1", b: "2", c: "3" }, Items: [{ Kind: "C" }, {}] }, "Req", shapes);
  assert.deepEqual(v, [
    "Value 'toolong' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5",
    "Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1",
    "Value '{a=1, b=2, c=3}' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 2",
    "Value 'C' at 'items.1.member.kind' failed to satisfy constraint: Member must satisfy enum value set: [A, B]",
    "Value null at 'items.2.member.kind' failed to satisfy constraint: Member must not be null",
  ]);
  assert.equal(findViolations({ Name: "a\u0001" }, "Req", shapes).length, 1);
  assert.equal(validationMessage(["x"]), "1 validation error detected: x");
  assert.equal(validationMessage([]), undefined);
  assert.match(validationMessage(findViolations({}, "Req", shapes)) ?? "", /^1 validation error detected: Value null at 'name'/);
});

test("toJsonBody writes epoch seconds and base64", () => {
  assert.equal(toJsonBody({ A: new Date(1500), B: new Uint8Array([104, 105]), C: undefined }), '{"A":1.5,"B":"aGk="}');
});

test("jsonAuthError maps S3 auth codes", () => {
  assert.equal(jsonAuthError(new AuthError("InvalidAccessKeyId", "x"), 0).code, "UnrecognizedClientException");
  assert.equal(jsonAuthError(new AuthError("SignatureDoesNotMatch", "x"), 0).code, "InvalidSignatureException");
  const skew = jsonAuthError(new AuthError("RequestTimeTooSkewed", "x", { RequestTime: "20200101T000000Z", ServerTime: "20200101T010000Z" }), 0);
  assert.equal(skew.message, "Signature expired: 20200101T000000Z is now earlier than 20200101T005500Z (20200101T010000Z - 5 min.)");
  const extra = { RequestTime: "20200101T000000Z", ServerTime: "20200101T010000Z", MaxAllowedSkewMilliseconds: "900000" };
  assert.equal(jsonAuthError(new AuthError("RequestTimeTooSkewed", "x", extra), 0).message, skew.message);
  assert.equal(
    jsonAuthError(new AuthError("RequestTimeTooSkewed", "x", extra), 0, { skewWindowFromError: true }).message,
    "Signature expired: 20200101T000000Z is now earlier than 20200101T004500Z (20200101T010000Z - 15 min.)",
  );
});
