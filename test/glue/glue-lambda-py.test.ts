// boto3 against Glue and Lambda: runs test/py/test_glue_lambda.py with pytest against a fresh
// server and expects it to pass.
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

test("boto3: pytest test/py/test_glue_lambda.py", async () => {
  await runPytest(server, "test_glue_lambda.py");
});
