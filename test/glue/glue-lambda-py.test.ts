// boto3 against Glue and Lambda: runs test/py/test_glue_lambda.py with pytest against a fresh
// server and expects it to pass.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PROJECT_ROOT, awsEnv, startServer, type RunningServer } from "../helpers/server.js";

let server: RunningServer;

before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.dispose();
});

test("boto3: pytest test/py/test_glue_lambda.py", async () => {
  const file = join(PROJECT_ROOT, "test", "py", "test_glue_lambda.py");
  const child = spawn("python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider", file], { env: awsEnv(server), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  assert.equal(code, 0, `pytest failed:\n${output}`);
});
