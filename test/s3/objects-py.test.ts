// boto3 and the AWS CLI against the S3 object operations: runs test/py/test_s3_objects.py with
// pytest against a fresh server and expects it to pass.
import { after, before, test } from "node:test";
import { runPytest } from "../helpers/pytest.js";
import { startServer, type RunningServer } from "../helpers/server.js";

let server: RunningServer;

before(async () => {
  server = await startServer();
});
after(async () => {
  await server?.dispose();
});

test("boto3 and the AWS CLI: pytest test/py/test_s3_objects.py", async () => {
  await runPytest(server, "test_s3_objects.py");
});
