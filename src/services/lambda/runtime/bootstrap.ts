/**
 * The runtime a function runs in: a child process forked by the server (runner/worker-process.ts).
 * It loads the handler `file.export` from the task root (CommonJS or ESM), calls it with
 * (event, context[, callback]) for each invocation it is sent, and answers over IPC. Console
 * output becomes Lambda-style log lines sent to the server. It never touches the server's state:
 * a crash, a hang or an exit here costs only this process.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";
import { Worker } from "node:worker_threads";
import type { FromRuntime, RuntimeErrorPayload, RuntimeInvoke, ToRuntime } from "./protocol.js";

type Handler = (event: unknown, context: object, callback: (err?: unknown, result?: unknown) => void) => unknown;

let taskRoot = "";
let handlerSetting = "";
let handler: Handler | undefined;
let currentRequestId: string | undefined;

function send(message: FromRuntime): void {
  process.send?.(message);
}

// Everything the function prints goes to the server as log text (Lambda's Node.js runtime format).
const writeLog = (text: string): void => send({ type: "log", text });
const levelled =
  (level: string) =>
  (...args: unknown[]): void => {
    const line = `${new Date().toISOString()}\t${currentRequestId ?? "undefined"}\t${level}\t${format(...args)}`;
    writeLog(line.replace(/\n/g, "\r") + "\n");
  };
console.log = levelled("INFO");
console.info = levelled("INFO");
console.warn = levelled("WARN");
console.error = levelled("ERROR");
console.debug = levelled("DEBUG");
console.trace = levelled("TRACE");
const captureWrite = (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
  writeLog(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8"));
  const done = typeof encoding === "function" ? encoding : cb;
  if (typeof done === "function") (done as () => void)();
  return true;
};
process.stdout.write = captureWrite as typeof process.stdout.write;
process.stderr.write = captureWrite as typeof process.stderr.write;

function errorPayload(err: unknown, typeOverride?: string): RuntimeErrorPayload {
  if (err instanceof Error) {
    const trace = (err.stack ?? "").split("\n");
    return { errorType: typeOverride ?? err.name, errorMessage: err.message, trace };
  }
  // Lambda reports thrown non-errors by their JavaScript type (`throw "x"` -> errorType "string").
  return { errorType: typeOverride ?? typeof err, errorMessage: typeof err === "string" ? err : format(err), trace: [] };
}

/** Lambda's module resolution: "dir/file.a.b" -> module dir/file, export path a.b; .js, .mjs, .cjs tried in order. */
async function loadHandler(): Promise<Handler> {
  const slash = handlerSetting.lastIndexOf("/");
  const base = handlerSetting.slice(slash + 1);
  const dot = base.indexOf(".");
  if (dot <= 0 || dot === base.length - 1) throw Object.assign(new Error("Bad handler"), { lambdaType: "Runtime.MalformedHandlerName" });
  const modulePath = handlerSetting.slice(0, slash + 1) + base.slice(0, dot);
  const exportPath = base.slice(dot + 1).split(".");
  const file = [".js", ".mjs", ".cjs"].map((ext) => join(taskRoot, modulePath + ext)).find((p) => existsSync(p));
  if (file === undefined) {
    throw Object.assign(new Error(`Cannot find module '${modulePath}'\nRequire stack:\n- /var/runtime/index.mjs`), { lambdaType: "Runtime.ImportModuleError", prefixName: true });
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof SyntaxError) throw Object.assign(err, { lambdaType: "Runtime.UserCodeSyntaxError", prefixName: true });
    throw err;
  }
  const find = (root: unknown): unknown => exportPath.reduce<unknown>((o, k) => (o === null || o === undefined ? undefined : (o as Record<string, unknown>)[k]), root);
  const fn = find(mod) ?? find(mod["default"]);
  if (typeof fn !== "function") {
    throw Object.assign(new Error(`${modulePath}.${exportPath.join(".")} is undefined or not exported`), { lambdaType: "Runtime.HandlerNotFound" });
  }
  return fn as Handler;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

function serialize(result: unknown): string {
  return JSON.stringify(result === undefined ? null : result) ?? "null";
}

async function invoke(msg: RuntimeInvoke): Promise<void> {
  currentRequestId = msg.requestId;
  if (handler === undefined) {
    try {
      handler = await loadHandler();
    } catch (err) {
      const e = err as { lambdaType?: string; prefixName?: boolean; name?: string; message?: string };
      const payload = errorPayload(err, e.lambdaType);
      const errorMessage = e.prefixName === true && err instanceof Error ? `${err.name}: ${err.message}` : payload.errorMessage;
      levelled("ERROR")(`Uncaught Exception \t${JSON.stringify({ errorType: payload.errorType, errorMessage, stack: payload.trace })}`);
      send({ type: "error", requestId: msg.requestId, error: { ...payload, errorMessage }, fatal: true });
      return;
    }
  }
  const fn = handler;
  let settled = false;
  const finish = (err: unknown, result?: unknown): void => {
    if (settled) return;
    settled = true;
    if (err !== undefined && err !== null) {
      const payload = errorPayload(err);
      levelled("ERROR")(`Invoke Error \t${JSON.stringify({ errorType: payload.errorType, errorMessage: payload.errorMessage, stack: payload.trace })}`);
      send({ type: "error", requestId: msg.requestId, error: payload, fatal: false });
      return;
    }
    let payload: string;
    try {
      payload = serialize(result);
    } catch (e) {
      send({ type: "error", requestId: msg.requestId, error: errorPayload(e), fatal: false });
      return;
    }
    send({ type: "result", requestId: msg.requestId, payload });
  };
  const context = {
    functionName: msg.functionName,
    functionVersion: msg.functionVersion,
    invokedFunctionArn: msg.invokedFunctionArn,
    memoryLimitInMB: msg.memoryLimitInMB,
    awsRequestId: msg.requestId,
    logGroupName: msg.logGroupName,
    logStreamName: msg.logStreamName,
    clientContext: msg.clientContext,
    identity: undefined,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, msg.deadlineMs - Date.now()),
    done: (err?: unknown, result?: unknown) => finish(err, result),
    succeed: (result?: unknown) => finish(undefined, result),
    fail: (err?: unknown) => finish(err ?? new Error("handled")),
  };
  try {
    const returned = fn(JSON.parse(msg.event) as unknown, context, (err, result) => finish(err, result));
    if (isThenable(returned)) {
      returned.then(
        (result) => finish(undefined, result),
        (err: unknown) => finish(err ?? new Error("Promise rejected with " + String(err))),
      );
    } else if (fn.length < 3) {
      // A synchronous handler that takes no callback answers null once it returns (Lambda ignores its return value).
      setImmediate(() => finish(undefined, null));
    }
  } catch (err) {
    finish(err);
  }
}

process.on("message", (raw: ToRuntime) => {
  if (raw.type === "init") {
    taskRoot = raw.taskRoot;
    handlerSetting = raw.handler;
    process.chdir(taskRoot);
    return;
  }
  void invoke(raw);
});

// Errors that escape the handler (a throw in a timer) fail the current invocation and end the process, as in Lambda.
process.on("uncaughtException", (err) => {
  if (currentRequestId !== undefined) {
    const payload = errorPayload(err);
    levelled("ERROR")(`Uncaught Exception \t${JSON.stringify({ errorType: payload.errorType, errorMessage: payload.errorMessage, stack: payload.trace })}`);
    send({ type: "error", requestId: currentRequestId, error: payload, fatal: true });
  }
  process.exitCode = 129;
  setImmediate(() => process.exit(129));
});
process.on("unhandledRejection", (reason) => {
  if (currentRequestId !== undefined) {
    const payload = errorPayload(reason, "Runtime.UnhandledPromiseRejection");
    send({ type: "error", requestId: currentRequestId, error: payload, fatal: true });
  }
  setImmediate(() => process.exit(128));
});
process.on("disconnect", () => process.exit(0));

// If the server dies (even by SIGKILL) this process must not outlive it, not even while the
// handler spins in a synchronous loop that starves the event loop: a watchdog thread checks
// that the parent is still there and kills the process otherwise.
const watchdog = new Worker(
  `const { workerData } = require("node:worker_threads");
   setInterval(() => {
     let gone = process.ppid !== workerData.parent;
     if (!gone) { try { process.kill(workerData.parent, 0); } catch { gone = true; } }
     if (gone) process.kill(workerData.self, "SIGKILL");
   }, 500);`,
  { eval: true, workerData: { parent: process.ppid, self: process.pid } },
);
watchdog.unref();
