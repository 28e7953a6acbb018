import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { strToU8, zipSync } from "fflate";
import { parseConfig } from "../../../server/config.js";
import { createSqliteFunctionStore } from "../../../storage/lambda-functions/sqlite-function-store.js";
import { ManualClock } from "../../../util/clock.js";
import { createLogger } from "../../../util/logger.js";
import { CodeSourceError, type LambdaCodeSource } from "../code-source.js";
import { LambdaError } from "../errors.js";
import type { LambdaContext } from "../functions.js";
import { LambdaInternalError } from "../internal-api.js";
import { FunctionRunner } from "../runner/function-runner.js";
import { createLambdaService } from "../service.js";
import { createFunction } from "./create-function.js";
import { deleteFunction } from "./delete-function.js";
import { getFunction } from "./get-function.js";
import { eventText, invoke } from "./invoke.js";
import { listFunctions } from "./list-functions.js";
import { updateFunctionCode } from "./update-function-code.js";
import { updateFunctionConfiguration } from "./update-function-configuration.js";

const root = mkdtempSync(join(tmpdir(), "lambda-ops-"));
const logger = createLogger("silent");
const runner = new FunctionRunner({ maxProcesses: 2, idleTimeoutMs: 60_000, queueTimeoutMs: 5_000, logger });
const pending: Promise<unknown>[] = [];
after(async () => {
  await runner.close();
  await Promise.allSettled(pending);
  rmSync(root, { recursive: true, force: true });
});

const zip = (files: Record<string, string>): Uint8Array => zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));
const ROLE = "arn:aws:iam::000000000000:role/r";

function context(codeSource?: LambdaCodeSource): LambdaContext {
  return {
    functions: createSqliteFunctionStore(":memory:"),
    runner,
    codeRoot: join(root, "code"),
    codeSource,
    clock: new ManualClock(Date.UTC(2025, 0, 2, 3, 4, 5, 678)),
    logger,
    region: "eu-west-1",
    accountId: "111122223333",
    requestId: "6bc28136-0000-4000-8000-000000000000",
    background: (p) => void pending.push(p),
  };
}

async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof LambdaError, String(err));
    assert.equal(err.code, code);
    if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

test("CreateFunction fills in Lambda's configuration and refuses what Lambda refuses", async () => {
  const ctx = context();
  const c = await createFunction({ FunctionName: "f", Role: ROLE, Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: zip({ "index.js": "" }) } }, ctx);
  assert.equal(c.FunctionArn, "arn:aws:lambda:eu-west-1:111122223333:function:f");
  assert.equal(c.LastModified, "2025-01-02T03:04:05.678+0000");
  assert.deepEqual([c.Timeout, c.MemorySize, c.Version, c.PackageType, c.State], [3, 128, "$LATEST", "Zip", "Active"]);
  assert.deepEqual(c.TracingConfig, { Mode: "PassThrough" });
  assert.deepEqual(c.EphemeralStorage, { Size: 512 });
  assert.equal(readdirSync(join(root, "code", "111122223333", "f")).length, 1);

  const base = { Role: ROLE, Runtime: "nodejs20.x" as const, Handler: "index.handler", Code: { ZipFile: zip({ "index.js": "" }) } };
  await rejects(createFunction({ ...base, FunctionName: "f" }, ctx), "ResourceConflictException", /^Function already exist: f$/);
  await rejects(createFunction({ ...base, FunctionName: "g", Timeout: 901 }, ctx), "ValidationException", /less than or equal to 900/);
  await rejects(createFunction({ ...base, FunctionName: "g", Runtime: "java21" }, ctx), "InvalidParameterValueException", /java21 is not supported/);
  await rejects(createFunction({ FunctionName: "g", Role: ROLE, Code: base.Code }, ctx), "InvalidParameterValueException", /Runtime and Handler are mandatory/);
  await rejects(createFunction({ ...base, FunctionName: "g", Code: { ZipFile: zip({ "../escape.js": "" }) } }, ctx), "InvalidParameterValueException", /Could not unzip/);
  await rejects(createFunction({ ...base, FunctionName: "g", Environment: { Variables: { BIG: "x".repeat(5000) } } }, ctx), "InvalidParameterValueException", /exceeded the 4KB limit/);
  await rejects(createFunction({ ...base, FunctionName: "g", Code: { S3Bucket: "bkt", S3Key: "k" } }, ctx), "InvalidParameterValueException", /not connected to the S3 service/);
});

test("code from S3 comes through the code source, and S3's errors are quoted as Lambda quotes them", async () => {
  const objects = new Map([["bkt/fn.zip", zip({ "index.js": "exports.handler = async () => 's3 code';" })]]);
  const source: LambdaCodeSource = {
    async getObject(accountId, bucket, key) {
      assert.equal(accountId, "111122223333");
      const bytes = objects.get(`${bucket}/${key}`);
      if (bytes === undefined) throw new CodeSourceError("NoSuchKey", "The specified key does not exist.");
      return bytes;
    },
  };
  const ctx = context(source);
  await createFunction({ FunctionName: "from-s3", Role: ROLE, Runtime: "nodejs22.x", Handler: "index.handler", Code: { S3Bucket: "bkt", S3Key: "fn.zip" } }, ctx);
  const out = await invoke({ FunctionName: "from-s3" }, ctx);
  assert.equal(Buffer.from(out.Payload!).toString(), '"s3 code"');
  await rejects(
    updateFunctionCode({ FunctionName: "from-s3", S3Bucket: "bkt", S3Key: "missing.zip" }, ctx),
    "InvalidParameterValueException",
    /^Error occurred while GetObject\. S3 Error Code: NoSuchKey\. S3 Error Message: The specified key does not exist\.$/,
  );
});

test("update, list, delete; revision checks; qualifiers", async () => {
  const ctx = context();
  for (const n of ["b", "a", "c"]) await createFunction({ FunctionName: n, Role: ROLE, Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: zip({ "index.js": `exports.handler = async () => '${n}';` }) } }, ctx);
  const page = await listFunctions({ MaxItems: 2 }, ctx);
  assert.deepEqual(page.Functions?.map((f) => f.FunctionName), ["a", "b"]);
  const rest = await listFunctions({ Marker: page.NextMarker! }, ctx);
  assert.deepEqual(rest.Functions?.map((f) => f.FunctionName), ["c"]);
  assert.equal(rest.NextMarker, undefined);

  const before = (await getFunction({ FunctionName: "a" }, ctx)).Configuration!;
  const dry = await updateFunctionCode({ FunctionName: "a", ZipFile: zip({ "index.js": "exports.handler = async () => 'A2';" }), DryRun: true }, ctx);
  assert.equal(dry.RevisionId, before.RevisionId);
  assert.equal(Buffer.from((await invoke({ FunctionName: "a" }, ctx)).Payload!).toString(), '"a"');
  const after2 = await updateFunctionCode({ FunctionName: "arn:aws:lambda:eu-west-1:111122223333:function:a", ZipFile: zip({ "index.js": "exports.handler = async () => 'A2';" }) }, ctx);
  assert.notEqual(after2.CodeSha256, before.CodeSha256);
  assert.equal(Buffer.from((await invoke({ FunctionName: "a" }, ctx)).Payload!).toString(), '"A2"');
  await rejects(updateFunctionConfiguration({ FunctionName: "a", RevisionId: before.RevisionId!, Timeout: 9 }, ctx), "PreconditionFailedException");
  const conf = await updateFunctionConfiguration({ FunctionName: "a", Timeout: 9, Environment: { Variables: { K: "v" } } }, ctx);
  assert.equal(conf.Timeout, 9);
  assert.deepEqual(conf.Environment, { Variables: { K: "v" } });

  await rejects(getFunction({ FunctionName: "a", Qualifier: "7" }, ctx), "ResourceNotFoundException", /^Function not found: arn:aws:lambda:eu-west-1:111122223333:function:a:7$/);
  await rejects(getFunction({ FunctionName: "arn:aws:lambda:eu-west-1:999999999999:function:a" }, ctx), "ResourceNotFoundException");
  await rejects(deleteFunction({ FunctionName: "a", Qualifier: "$LATEST" }, ctx), "InvalidParameterValueException");
  assert.deepEqual(await deleteFunction({ FunctionName: "a" }, ctx), { StatusCode: 204 });
  await rejects(invoke({ FunctionName: "a" }, ctx), "ResourceNotFoundException");
});

test("Invoke: payload checks, log tail, DryRun", async () => {
  const ctx = context();
  await createFunction({ FunctionName: "log", Role: ROLE, Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: zip({ "index.js": "exports.handler = async (e) => { console.log('x'.repeat(5000)); return e; };" }) } }, ctx);
  assert.equal(eventText(undefined), "{}");
  assert.throws(() => eventText(strToU8("nope")), (e: unknown) => e instanceof LambdaError && e.code === "InvalidRequestContentException");
  const out = await invoke({ FunctionName: "log", Payload: strToU8('{"k":1}'), LogType: "Tail" }, ctx);
  assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { k: 1 });
  const tail = Buffer.from(out.LogResult!, "base64");
  assert.equal(tail.byteLength, 4096);
  assert.match(tail.toString(), /REPORT RequestId: 6bc28136-0000-4000-8000-000000000000\t/);
  assert.deepEqual(await invoke({ FunctionName: "log", InvocationType: "DryRun" }, ctx), { StatusCode: 204 });
  await rejects(invoke({ FunctionName: "log", Payload: new Uint8Array(6_291_457) }, ctx), "RequestTooLargeException");
});

test("the internal API invokes by name or ARN and rejects in Lambda's codes", async () => {
  const dataDir = mkdtempSync(join(root, "svc-"));
  const service = createLambdaService({ config: parseConfig({ "data-dir": dataDir }, {}), clock: new ManualClock(), logger, accessKeys: { getAccessKey: () => undefined } }, { maxProcesses: 1 });
  try {
    await service.start?.();
    const ctx: LambdaContext = { ...context(), functions: createSqliteFunctionStore(join(dataDir, "meta", "lambda.db")), codeRoot: join(dataDir, "lambda"), region: "us-east-1", accountId: "000000000000" };
    await createFunction({ FunctionName: "t", Role: ROLE, Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: zip({ "index.js": "exports.handler = async (e) => { if (e.fail) throw new Error('bad'); return { records: e.records.length }; };" }) } }, ctx);
    ctx.functions.close();
    const ok = await service.api.invoke("000000000000", "arn:aws:lambda:us-east-1:000000000000:function:t", strToU8('{"records":[1,2,3]}'));
    assert.deepEqual([ok.statusCode, ok.functionError, JSON.parse(Buffer.from(ok.payload).toString())], [200, undefined, { records: 3 }]);
    const bad = await service.api.invoke("000000000000", "t", strToU8('{"fail":true}'));
    assert.equal(bad.functionError, "Unhandled");
    assert.equal(JSON.parse(Buffer.from(bad.payload).toString()).errorMessage, "bad");
    await assert.rejects(service.api.invoke("000000000000", "nope", strToU8("{}")), (e: unknown) => e instanceof LambdaInternalError && e.code === "ResourceNotFoundException");
    await assert.rejects(service.api.invoke("000000000000", "t", strToU8("{")), (e: unknown) => e instanceof LambdaInternalError && e.code === "InvalidRequestContentException");
  } finally {
    await service.stop?.();
  }
});
