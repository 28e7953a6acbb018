// boto3 against Firehose: runs test/py/test_firehose.py with pytest against a fresh server.
import { after, before, test } from "node:test";
import { runPytest } from "../helpers/pytest.js";
import type { RunningServer } from "../helpers/server.js";
import { startFirehoseServer } from "./support.js";

let server: RunningServer;

before(async () => {
  server = await startFirehoseServer();
});
after(async () => {
  await server?.dispose();
});

test("boto3: pytest test/py/test_firehose.py", async () => {
  await runPytest(server, "test_firehose.py");
});
