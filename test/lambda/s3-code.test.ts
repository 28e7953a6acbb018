// Lambda functions whose code is a .zip in S3 (Code.S3Bucket/S3Key/S3ObjectVersion), read through
// S3's internal API by S3's own rules: the package is found, run and updated; a missing key, a
// deleted one and an unknown version are refused in Lambda's words quoting S3's.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  CreateFunctionCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { strToU8, zipSync } from "fflate";
import { clientConfig, startServer, type RunningServer } from "../helpers/server.js";

const ROLE = "arn:aws:iam::000000000000:role/lambda-role";
const BUCKET = "function-code";

let server: RunningServer;
let lambda: LambdaClient;
let s3: S3Client;

before(async () => {
  server = await startServer();
  lambda = new LambdaClient(clientConfig(server));
  s3 = new S3Client({ ...clientConfig(server), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } }));
});
after(async () => {
  lambda?.destroy();
  s3?.destroy();
  await server?.dispose();
});

/** A package whose handler answers with `answer`. */
function pkg(answer: string): Uint8Array {
  return zipSync({ "index.js": strToU8(`exports.handler = async (event) => ({ answer: ${JSON.stringify(answer)}, event });`) });
}

async function putPackage(key: string, answer: string): Promise<string> {
  const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: pkg(answer) }));
  assert.ok(out.VersionId !== undefined);
  return out.VersionId;
}

function create(name: string, code: { S3Key: string; S3ObjectVersion?: string; S3Bucket?: string }) {
  return lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { S3Bucket: BUCKET, ...code } }));
}

async function invoke(name: string): Promise<Record<string, unknown>> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: strToU8(JSON.stringify({ n: 1 })) }));
  assert.equal(out.StatusCode, 200);
  assert.equal(out.FunctionError, undefined);
  return JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8")) as Record<string, unknown>;
}

/** Lambda's refusal quoting S3 (the wording AWS Lambda uses for code it cannot read). */
function s3Refusal(code: string, message: string) {
  return (e: unknown) => e instanceof InvalidParameterValueException && e.message === `Error occurred while GetObject. S3 Error Code: ${code}. S3 Error Message: ${message}`;
}

test("a function whose code is a .zip in S3 is created from it and invoked", async () => {
  await putPackage("pkgs/hello.zip", "from s3");
  const created = await create("from-s3", { S3Key: "pkgs/hello.zip" });
  assert.equal(created.State, "Active");
  assert.equal(created.CodeSize, pkg("from s3").byteLength);
  assert.deepEqual(await invoke("from-s3"), { answer: "from s3", event: { n: 1 } });
});

test("S3ObjectVersion picks that version of the package, for CreateFunction and UpdateFunctionCode", async () => {
  const v1 = await putPackage("pkgs/versioned.zip", "first");
  const v2 = await putPackage("pkgs/versioned.zip", "second");
  await create("versioned", { S3Key: "pkgs/versioned.zip", S3ObjectVersion: v1 });
  assert.equal((await invoke("versioned"))["answer"], "first");
  await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "versioned", S3Bucket: BUCKET, S3Key: "pkgs/versioned.zip", S3ObjectVersion: v2 }));
  assert.equal((await invoke("versioned"))["answer"], "second");
});

test("a missing key, a deleted one, an unknown version and a missing bucket give Lambda's error", async () => {
  await assert.rejects(create("missing", { S3Key: "pkgs/none.zip" }), s3Refusal("NoSuchKey", "The specified key does not exist."));
  await putPackage("pkgs/deleted.zip", "gone");
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "pkgs/deleted.zip" }));
  await assert.rejects(create("deleted", { S3Key: "pkgs/deleted.zip" }), s3Refusal("NoSuchKey", "The specified key does not exist."));
  const unknown = "3sL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY-MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo";
  await assert.rejects(create("no-version", { S3Key: "pkgs/hello.zip", S3ObjectVersion: unknown }), s3Refusal("NoSuchVersion", "The specified version does not exist."));
  await assert.rejects(create("no-bucket", { S3Bucket: "no-such-code-bucket", S3Key: "k.zip" }), (e: unknown) => e instanceof InvalidParameterValueException && /^Error occurred while GetObject\. S3 Error Code: NoSuchBucket\. /.test(e.message));
});
