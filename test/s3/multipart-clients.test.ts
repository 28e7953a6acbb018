// Runs test/py/test_s3_multipart.py (boto3's managed transfer, boto3 low-level calls, `aws s3 cp`
// of 1 GiB both ways) against a fresh server, the way the Python clients' users run them.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { PROJECT_ROOT, awsEnv, startServer, type RunningServer } from "../helpers/server.js";
import { s3Client } from "./objects-support.js";

const BUCKET = "multipart-clients";

function run(cmd: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("S3 multipart with boto3 and the AWS CLI", () => {
  let server: RunningServer;

  before(async () => {
    server = await startServer();
    const s3 = s3Client(server);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    s3.destroy();
  });
  after(async () => {
    await server?.dispose();
  });

  test("pytest test/py/test_s3_multipart.py", async (t) => {
    const env = { ...awsEnv(server), STREAMLAKE_TEST_BUCKET: BUCKET };
    const file = join(PROJECT_ROOT, "test", "py", "test_s3_multipart.py");
    const r = await run("python3", ["-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", file], env);
    assert.equal(r.code, 0, `pytest failed:\n${r.output}`);
    const timing = /aws s3 cp 1 GiB: .*/.exec(r.output);
    if (timing !== null) t.diagnostic(timing[0]);
  });
});
