// The body of the SHA-256 thread: hashes the shared-memory spans the main thread posts and answers
// each with its hex digest (see sha256-thread.ts).
import { createHash } from "node:crypto";
import { parentPort } from "node:worker_threads";
import type { Sha256Reply, Sha256Request } from "./sha256-thread.js";

const port = parentPort;
if (port === null) throw new Error("sha256-worker must run in a worker thread");

port.on("message", (msg: Sha256Request) => {
  let reply: Sha256Reply;
  try {
    reply = { id: msg.id, hex: createHash("sha256").update(new Uint8Array(msg.buffer, 0, msg.length)).digest("hex") };
  } catch (err) {
    reply = { id: msg.id, error: String(err) };
  }
  port.postMessage(reply);
});
