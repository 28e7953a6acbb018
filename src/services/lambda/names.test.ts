import assert from "node:assert/strict";
import { test } from "node:test";
import { LambdaError } from "./errors.js";
import { functionArn, parseFunctionRef } from "./names.js";

test("FunctionName forms: name, partial ARN, full ARN, qualifiers", () => {
  assert.deepEqual(parseFunctionRef("my-fn"), { name: "my-fn" });
  assert.deepEqual(parseFunctionRef("my-fn:$LATEST"), { name: "my-fn", qualifier: "$LATEST" });
  assert.deepEqual(parseFunctionRef("123456789012:function:my-fn"), { name: "my-fn", accountId: "123456789012" });
  assert.deepEqual(parseFunctionRef("arn:aws:lambda:us-east-1:123456789012:function:my-fn:prod"), { name: "my-fn", region: "us-east-1", accountId: "123456789012", qualifier: "prod" });
  assert.deepEqual(parseFunctionRef("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f"), { name: "f", region: "us-gov-west-1", accountId: "123456789012" });
  assert.throws(() => parseFunctionRef("bad name"), (e: unknown) => e instanceof LambdaError && e.code === "ValidationException");
  assert.equal(functionArn("eu-west-1", "111122223333", "f"), "arn:aws:lambda:eu-west-1:111122223333:function:f");
});
