// Runs test/py/test_s3_multipart.py (boto3's managed transfer, boto3 low-level calls, `aws s3 cp`
// of 1 GiB both ways) against a fresh server, the way the Python clients' users run them.
import { after, before, describe, test } from "node:test";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { runPytest } from "../helpers/pytest.js";
import { startServer, type RunningServer } from "../helpers/server.js";
import { s3Client } from "./objects-support.js";

const BUCKET = "multipart-clients";

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
    const output = await runPytest(server, "test_s3_multipart.py", { env: { STREAMLAKE_TEST_BUCKET: BUCKET }, args: ["-s"] });
    const timing = /aws s3 cp 1 GiB: .*/.exec(output);
    if (timing !== null) t.diagnostic(timing[0]);
  });
});
