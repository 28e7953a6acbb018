// `aws s3 sync` of 1,000 small files in both directions (issue 3's client tests): runs
// test/py/test_s3_sync.py with pytest against a fresh server and expects it to pass.
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

test("aws s3 sync: pytest test/py/test_s3_sync.py", async () => {
  await runPytest(server, "test_s3_sync.py");
});
