// Lambda end to end with @aws-sdk/client-lambda: functions from .zip packages built here (CommonJS,
// ESM, callback style), Invoke with logs, updates, listing and deletes, Lambda's errors; then the
// failures a function can inflict (throw, hang past its timeout, exit, exceed its memory) with
// the server staying healthy throughout.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  LambdaServiceException,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
  type CreateFunctionCommandInput,
} from "@aws-sdk/client-lambda";
import { strToU8, zipSync } from "fflate";
import { clientConfig, startServer, type RunningServer } from "../helpers/server.js";

let server: RunningServer;
let lambda: LambdaClient;
let scratch: string;

before(async () => {
  server = await startServer();
  lambda = new LambdaClient(clientConfig(server));
  scratch = mkdtempSync(join(tmpdir(), "lambda-e2e-"));
});
after(async () => {
  lambda?.destroy();
  await server?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const ROLE = "arn:aws:iam::000000000000:role/lambda-role";

function zip(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

async function create(name: string, files: Record<string, string>, extra: Partial<CreateFunctionCommandInput> = {}) {
  return lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: zip(files) }, ...extra }));
}

async function invoke(name: string, payload: unknown, tail = false) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: strToU8(JSON.stringify(payload)), ...(tail ? { LogType: "Tail" as const } : {}) }));
  const text = Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8");
  return { out, text, json: text === "" ? undefined : (JSON.parse(text) as Record<string, unknown>), log: out.LogResult === undefined ? "" : Buffer.from(out.LogResult, "base64").toString("utf8") };
}

async function healthy(): Promise<void> {
  const res = await fetch(`${server.endpoint}/_streamlake/health`);
  assert.equal(res.status, 200);
  assert.equal(server.process.exitCode, null);
}

const ECHO = `
const started = Date.now();
exports.handler = async (event, context) => {
  console.log("got event", JSON.stringify(event));
  return { event, name: context.functionName, arn: context.invokedFunctionArn, memory: context.memoryLimitInMB,
    remainingOk: context.getRemainingTimeInMillis() > 0, greeting: process.env.GREETING ?? null, region: process.env.AWS_REGION, started };
};`;

test("create, invoke with log tail, and read a CommonJS function back", async () => {
  const created = await create("echo", { "index.js": ECHO }, { Environment: { Variables: { GREETING: "hello" } }, Timeout: 5, MemorySize: 256, Tags: { team: "data" } });
  assert.equal(created.FunctionName, "echo");
  assert.equal(created.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:echo");
  assert.equal(created.State, "Active");
  assert.equal(created.Timeout, 5);
  assert.equal(created.MemorySize, 256);
  assert.match(created.CodeSha256 ?? "", /^[A-Za-z0-9+/]{43}=$/);
  assert.match(created.LastModified ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

  const first = await invoke("echo", { a: 1 }, true);
  assert.equal(first.out.StatusCode, 200);
  assert.equal(first.out.FunctionError, undefined);
  assert.equal(first.out.ExecutedVersion, "$LATEST");
  assert.deepEqual(first.json?.["event"], { a: 1 });
  assert.equal(first.json?.["name"], "echo");
  assert.equal(first.json?.["memory"], "256");
  assert.equal(first.json?.["greeting"], "hello");
  assert.equal(first.json?.["region"], "us-east-1");
  assert.equal(first.json?.["remainingOk"], true);
  assert.match(first.log, /^START RequestId: [0-9a-f-]+ Version: \$LATEST\n/);
  assert.match(first.log, /\tINFO\tgot event \{"a":1\}\n/);
  assert.match(first.log, /END RequestId: .*\nREPORT RequestId: .*\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB/);

  // A warm process serves the next invocation (module state survives).
  const second = await invoke("echo", { a: 2 });
  assert.equal(second.json?.["started"], first.json?.["started"]);

  const got = await lambda.send(new GetFunctionCommand({ FunctionName: "echo" }));
  assert.equal(got.Configuration?.Handler, "index.handler");
  assert.deepEqual(got.Tags, { team: "data" });
  const byArn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: created.FunctionArn }));
  assert.equal(byArn.RevisionId, created.RevisionId);
});

test("ESM handlers, callback handlers, nested paths, and concurrent invocations", async () => {
  await create("esm", { "app/main.mjs": "export const run = async (event) => ({ doubled: event.n * 2 });" }, { Handler: "app/main.run", Runtime: "nodejs22.x" });
  assert.deepEqual((await invoke("esm", { n: 21 })).json, { doubled: 42 });
  await create("callback", { "index.js": "exports.handler = (event, context, cb) => { setTimeout(() => cb(null, { ok: event.v }), 10); };" }, { Runtime: "nodejs18.x" });
  assert.deepEqual((await invoke("callback", { v: "yes" })).json, { ok: "yes" });
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => invoke("esm", { n: i })));
  assert.deepEqual(results.map((r) => r.json?.["doubled"]), [0, 2, 4, 6, 8, 10]);
});

test("updates take effect on the next invocation; listing pages; delete", async () => {
  await create("changing", { "index.js": "exports.handler = async () => 'v1';" });
  assert.equal((await invoke("changing", {})).text, '"v1"');
  const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "changing", ZipFile: zip({ "index.js": "exports.handler = async () => 'v2:' + process.env.MODE;" }) }));
  assert.notEqual(updated.CodeSha256, undefined);
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "changing", Environment: { Variables: { MODE: "fast" } }, RevisionId: updated.RevisionId }));
  assert.equal((await invoke("changing", {})).text, '"v2:fast"');
  await assert.rejects(
    lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "changing", ZipFile: zip({ "index.js": "" }), RevisionId: updated.RevisionId })),
    (e: unknown) => e instanceof LambdaServiceException && e.name === "PreconditionFailedException",
  );

  for (let i = 0; i < 4; i++) await create(`listed-${i}`, { "index.js": "exports.handler = async () => null;" });
  const names: string[] = [];
  for await (const page of paginateListFunctions({ client: lambda, pageSize: 3 }, {})) {
    assert.ok((page.Functions?.length ?? 0) <= 3);
    names.push(...(page.Functions ?? []).map((f) => f.FunctionName!));
  }
  for (let i = 0; i < 4; i++) assert.ok(names.includes(`listed-${i}`), names.join(","));
  assert.deepEqual([...names].sort(), names);

  await lambda.send(new DeleteFunctionCommand({ FunctionName: "changing" }));
  await assert.rejects(
    lambda.send(new GetFunctionCommand({ FunctionName: "changing" })),
    (e: unknown) => e instanceof ResourceNotFoundException && e.message === "Function not found: arn:aws:lambda:us-east-1:000000000000:function:changing",
  );
  await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: "changing" })), ResourceNotFoundException);
});

test("Lambda's refusals: duplicates, bad packages, runtimes, S3 code, payloads", async () => {
  await assert.rejects(create("echo", { "index.js": ECHO }), (e: unknown) => e instanceof ResourceConflictException && e.message === "Function already exist: echo");
  await assert.rejects(
    lambda.send(new CreateFunctionCommand({ FunctionName: "badzip", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: strToU8("not a zip") } })),
    (e: unknown) => e instanceof InvalidParameterValueException && e.message === "Could not unzip uploaded file. Please check your file, then try to upload again.",
  );
  await assert.rejects(create("py", { "index.py": "" }, { Runtime: "python3.12" }), InvalidParameterValueException);
  await assert.rejects(create("old", { "index.js": "" }, { Runtime: "nodejs16.x" }), /nodejs16.x is no longer supported/);
  await assert.rejects(
    lambda.send(new CreateFunctionCommand({ FunctionName: "s3code", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { S3Bucket: "code-bucket", S3Key: "k.zip" } })),
    (e: unknown) => e instanceof InvalidParameterValueException && /^Error occurred while GetObject\. S3 Error Code: NoSuchBucket\. /.test(e.message),
  );
  await assert.rejects(create("reserved", { "index.js": "" }, { Environment: { Variables: { AWS_REGION: "x" } } }), /reserved keys/);
  await assert.rejects(
    lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: strToU8("{not json") })),
    (e: unknown) => e instanceof InvalidRequestContentException && /^Could not parse request body into json/.test(e.message),
  );
  await assert.rejects(create("bad name!", { "index.js": "" }), (e: unknown) => e instanceof LambdaServiceException && e.name === "ValidationException");

  const wrongSecret = new LambdaClient({ ...clientConfig(server), credentials: { accessKeyId: clientConfig(server).credentials.accessKeyId, secretAccessKey: "wrong" } });
  try {
    await assert.rejects(
      wrongSecret.send(new GetFunctionCommand({ FunctionName: "echo" })),
      (e: unknown) => e instanceof LambdaServiceException && e.name === "InvalidSignatureException" && e.$metadata.httpStatusCode === 403,
    );
  } finally {
    wrongSecret.destroy();
  }
});

test("a function that throws, a missing handler, and an asynchronous invocation", async () => {
  await create("thrower", { "index.js": "class OopsError extends Error { constructor(m) { super(m); this.name = 'OopsError'; } }\nexports.handler = async () => { throw new OopsError('it broke'); };" });
  const r = await invoke("thrower", {}, true);
  assert.equal(r.out.StatusCode, 200);
  assert.equal(r.out.FunctionError, "Unhandled");
  assert.equal(r.json?.["errorType"], "OopsError");
  assert.equal(r.json?.["errorMessage"], "it broke");
  assert.ok(Array.isArray(r.json?.["trace"]));
  assert.match(r.log, /ERROR\tInvoke Error \t\{"errorType":"OopsError","errorMessage":"it broke"/);

  await create("nohandler", { "index.js": "exports.other = async () => 1;" });
  const missing = await invoke("nohandler", {});
  assert.equal(missing.out.FunctionError, "Unhandled");
  assert.deepEqual([missing.json?.["errorType"], missing.json?.["errorMessage"]], ["Runtime.HandlerNotFound", "index.handler is undefined or not exported"]);

  const marker = join(scratch, "event-ran.txt");
  await create("async-writer", { "index.js": "const fs = require('fs'); exports.handler = async (e) => { fs.writeFileSync(e.path, 'ran:' + e.n); };" });
  const queued = await lambda.send(new InvokeCommand({ FunctionName: "async-writer", InvocationType: "Event", Payload: strToU8(JSON.stringify({ path: marker, n: 7 })) }));
  assert.equal(queued.StatusCode, 202);
  const deadline = Date.now() + 10_000;
  while (!existsSync(marker) || readFileSync(marker, "utf8") !== "ran:7") {
    assert.ok(Date.now() < deadline, "the Event invocation never ran");
    await new Promise((r) => setTimeout(r, 25));
  }
  const dry = await lambda.send(new InvokeCommand({ FunctionName: "async-writer", InvocationType: "DryRun" }));
  assert.equal(dry.StatusCode, 204);
});

test("a hang past the timeout, an exit and a memory blow-up each cost only their process", async () => {
  // A synchronous loop: nothing inside the process can stop it, only the runner's kill.
  await create("hang", { "index.js": "exports.handler = async () => { for (;;) {} };" }, { Timeout: 1 });
  await create("exiter", { "index.js": "exports.handler = async () => { process.exit(3); };" });
  await create("hog", { "index.js": "exports.handler = async () => { const keep = []; for (;;) keep.push(Buffer.alloc(8 * 1024 * 1024, 1)); };" }, { MemorySize: 128, Timeout: 30 });
  await create("heaphog", { "index.js": "exports.handler = async () => { const keep = []; for (;;) keep.push(new Array(1e6).fill(Math.random())); };" }, { MemorySize: 128, Timeout: 30 });

  const [hang, exited, hog, heapHog] = await Promise.all([invoke("hang", {}, true), invoke("exiter", {}), invoke("hog", {}), invoke("heaphog", {})]);
  assert.equal(hang.out.FunctionError, "Unhandled");
  assert.equal(hang.json?.["errorType"], "Sandbox.Timedout");
  assert.match(String(hang.json?.["errorMessage"]), /^RequestId: [0-9a-f-]+ Error: Task timed out after 1\.00 seconds$/);
  assert.match(hang.log, /Task timed out after 1\.00 seconds/);

  assert.equal(exited.out.FunctionError, "Unhandled");
  assert.equal(exited.json?.["errorType"], "Runtime.ExitError");
  assert.match(String(exited.json?.["errorMessage"]), /Error: Runtime exited with error: exit status 3$/);

  for (const r of [hog, heapHog]) {
    assert.equal(r.out.FunctionError, "Unhandled");
    assert.equal(r.json?.["errorType"], "Runtime.OutOfMemory", r.text);
    assert.match(String(r.json?.["errorMessage"]), /Runtime exited with error: signal: (killed|aborted)/);
  }

  await healthy();
  // Each failed function runs again from a fresh process; the others were never disturbed.
  assert.equal((await invoke("exiter", {})).json?.["errorType"], "Runtime.ExitError");
  assert.deepEqual((await invoke("echo", { after: "chaos" })).json?.["event"], { after: "chaos" });
  await healthy();
});
