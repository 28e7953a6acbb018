// GET /_streamlake/workers: the background workers the services registered with the server's
// supervisor, each with its state and status line.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { startServer } from "../helpers/server.js";

interface Listed {
  readonly name: string;
  readonly state: string;
  readonly status: string;
  readonly errors: number;
}

const server = await startServer();
after(() => server.dispose());

test("the Kinesis workers are listed with their state and status line", async () => {
  const res = await fetch(`${server.endpoint}/_streamlake/workers`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const { workers } = (await res.json()) as { workers: Listed[] };
  for (const name of ["kinesis-status", "kinesis-retention"]) {
    const w = workers.find((x) => x.name === name);
    assert.ok(w !== undefined, `${name} missing from ${JSON.stringify(workers)}`);
    assert.ok(["busy", "idle", "backoff"].includes(w.state), JSON.stringify(w));
    assert.equal(typeof w.status, "string");
    assert.equal(w.errors, 0);
  }
});
