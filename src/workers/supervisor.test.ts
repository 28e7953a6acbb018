import assert from "node:assert/strict";
import { test } from "node:test";
import type { Logger } from "../util/logger.js";
import { createSupervisor, sleep, type Worker, type WorkResult } from "./supervisor.js";

interface Logged {
  readonly level: string;
  readonly msg: string;
  readonly fields: Record<string, unknown> | undefined;
}

function recordingLogger(): Logger & { readonly lines: Logged[] } {
  const lines: Logged[] = [];
  const log = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields });
  return { lines, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** Polls `check` until it holds or 5 s pass. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`never: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** A worker whose passes answer from a script, then idle until aborted. */
function scripted(name: string, script: (WorkResult | Error)[]): Worker & { passes: number } {
  const w = {
    name,
    passes: 0,
    async work(): Promise<WorkResult> {
      const next = script[w.passes++];
      if (next instanceof Error) throw next;
      return next ?? "idle";
    },
    waitForWork: (signal: AbortSignal) => sleep(60_000, signal),
    status: () => `${w.passes} passes`,
  };
  return w;
}

test("busy passes run again at once, idle ones wait, and listings show each worker's state", async () => {
  const supervisor = createSupervisor(recordingLogger());
  const w = scripted("counter", ["busy", "busy", "idle"]);
  supervisor.register(w);
  await eventually(() => supervisor.list()[0]?.state === "idle", "the worker idles");
  assert.equal(w.passes, 3);
  assert.deepEqual(supervisor.list(), [{ name: "counter", state: "idle", status: "3 passes", errors: 0 }]);
  await supervisor.stop();
  assert.deepEqual(supervisor.list(), []);
});

test("a failing pass is logged and retried after a backoff; a worker that is done leaves the list", async () => {
  const logger = recordingLogger();
  const supervisor = createSupervisor(logger);
  const failing = scripted("flaky", [new Error("disk on fire")]);
  const finished = scripted("once", ["done"]);
  supervisor.register(failing);
  supervisor.register(finished);
  await eventually(() => supervisor.list().some((i) => i.name === "flaky" && i.state === "backoff"), "the failure backs off");
  await eventually(() => !supervisor.list().some((i) => i.name === "once"), "the finished worker leaves");
  const info = supervisor.list().find((i) => i.name === "flaky");
  assert.equal(info?.errors, 1);
  assert.equal(info?.lastError, "disk on fire");
  const failure = logger.lines.find((l) => l.msg === "worker failed");
  assert.equal(failure?.fields?.["worker"], "flaky");
  assert.equal(failure?.fields?.["retryInMs"], 1000);
  // Stopping cuts the backoff short rather than waiting it out.
  const began = Date.now();
  await supervisor.stop();
  assert.ok(Date.now() - began < 900);
  assert.equal(failing.passes, 1);
});

test("stop gives up on a worker that ignores its signal after the deadline, and says so", async () => {
  const logger = recordingLogger();
  const supervisor = createSupervisor(logger);
  let release!: () => void;
  const stuck: Worker = {
    name: "stuck",
    work: () => new Promise<WorkResult>((r) => (release = () => r("done"))),
    waitForWork: async () => {},
    status: () => "stuck",
  };
  supervisor.register(stuck);
  await eventually(() => release !== undefined, "the pass starts");
  await supervisor.stop(20);
  assert.deepEqual(logger.lines.find((l) => l.level === "warn")?.fields, { workers: ["stuck"], deadlineMs: 20 });
  release();
});

test("a handle stops its worker alone, and a stopped supervisor runs nothing new", async () => {
  const supervisor = createSupervisor(recordingLogger());
  const a = scripted("a", []);
  const b = scripted("b", []);
  const handle = supervisor.register(a);
  supervisor.register(b);
  await eventually(() => supervisor.list().length === 2 && supervisor.list().every((i) => i.state === "idle"), "both idle");
  await handle.stop();
  assert.deepEqual(
    supervisor.list().map((i) => i.name),
    ["b"],
  );
  await supervisor.stop();
  const late = scripted("late", []);
  await supervisor.register(late).stop();
  assert.equal(late.passes, 0);
  assert.deepEqual(supervisor.list(), []);
});
