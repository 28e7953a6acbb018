// The body of a pool thread (see pool.ts): loads each job's module the first time it is named and
// runs the posted jobs in the order they arrive, answering each unless its id is 0.
import { parentPort } from "node:worker_threads";
import { Transfer, type JobRun, type ReplyMessage, type RunMessage } from "./job.js";

const port = parentPort;
if (port === null) throw new Error("threads/worker must run in a worker thread");

const runs = new Map<string, JobRun>();
const loadErrors = new Map<string, string>();
/** Messages wait here (in order) while a module loads; undefined when nothing is loading. */
let backlog: Promise<void> | undefined;

function reply(msg: ReplyMessage, transfer?: readonly ArrayBuffer[]): void {
  port!.postMessage(msg, transfer as ArrayBuffer[] | undefined);
}

function answer(id: number, value: unknown): void {
  if (id === 0) return;
  if (value instanceof Transfer) reply({ id, value: value.value }, value.transfer);
  else reply({ id, value });
}

function fail(id: number, err: unknown): void {
  if (id !== 0) reply({ id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
}

function runNow(msg: RunMessage): void {
  const run = runs.get(msg.job);
  if (run === undefined) {
    fail(msg.id, new Error(loadErrors.get(msg.job) ?? `unknown thread job ${msg.job}`));
    return;
  }
  let out: unknown;
  try {
    out = run(msg.args as never);
  } catch (err) {
    fail(msg.id, err);
    return;
  }
  if (out instanceof Promise) out.then((v) => answer(msg.id, v), (err: unknown) => fail(msg.id, err));
  else answer(msg.id, out);
}

function load(job: string, module: string): Promise<void> {
  return import(module).then(
    (m: { run?: JobRun }) => {
      if (typeof m.run === "function") runs.set(job, m.run);
      else loadErrors.set(job, `thread job module ${module} exports no run()`);
    },
    (err: unknown) => {
      loadErrors.set(job, `thread job module ${module} failed to load: ${String(err)}`);
    },
  );
}

port.on("message", (msg: RunMessage) => {
  if (msg.module !== undefined && !runs.has(msg.job) && !loadErrors.has(msg.job)) {
    const loading = (backlog ?? Promise.resolve()).then(() => load(msg.job, msg.module!));
    backlog = loading;
    void loading.then(() => {
      if (backlog === loading) backlog = undefined;
    });
  }
  if (backlog === undefined) {
    runNow(msg);
    return;
  }
  const queued = backlog.then(() => runNow(msg));
  backlog = queued;
  void queued.then(() => {
    if (backlog === queued) backlog = undefined;
  });
});
