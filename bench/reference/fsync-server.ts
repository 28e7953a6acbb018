// The durable-PUT reference: each PUT body is streamed to its own file and fsynced before the
// 200; a GET streams back what a PUT stored (a plain file-streaming server); anything else
// answers 200 with no work (DELETE also removes the file, so a long run does not fill the disk). Its rates are the ceilings of a durable Node PUT and of a file GET.
// Usage: node fsync-server.js <dir>  -> prints {"port":N} on stdout; SIGTERM stops it.
import { createHash } from "node:crypto";
import { createReadStream, mkdirSync } from "node:fs";
import { open, rm, stat } from "node:fs/promises";
import http from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { answerEmpty, serveOnLoopback } from "./serve.js";

const dir = process.argv[2];
if (dir === undefined) throw new Error("usage: fsync-server <dir>");
mkdirSync(dir, { recursive: true });

function fileFor(url: string): string {
  const path = url.split("?")[0] ?? "/";
  return join(dir!, createHash("sha1").update(path).digest("hex"));
}

async function put(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const file = await open(fileFor(req.url ?? "/"), "w");
  try {
    // One write at a time: back-pressure without a stream wrapper around the handle.
    for await (const chunk of req) await file.write(chunk as Buffer);
    await file.sync();
  } finally {
    await file.close();
  }
  res.writeHead(200, { "content-length": "0" });
  res.end();
}

async function get(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const file = fileFor(req.url ?? "/");
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    res.writeHead(404, { "content-length": "0" });
    res.end();
    return;
  }
  res.writeHead(200, { "content-length": String(size) });
  await pipeline(createReadStream(file, { highWaterMark: 1 << 16 }), res);
}

const server = http.createServer((req, res) => {
  const work =
    req.method === "PUT"
      ? put(req, res)
      : req.method === "GET"
        ? (req.resume(), get(req, res))
        : req.method === "DELETE"
          ? (req.resume(),
            rm(fileFor(req.url ?? "/"), { force: true }).then(() => {
              res.writeHead(204);
              res.end();
            }))
          : answerEmpty(req, res);
  work.catch((err: unknown) => {
    if (!res.headersSent) {
      res.writeHead(500, { "content-length": "0" });
      res.end();
    } else res.destroy(err instanceof Error ? err : new Error(String(err)));
  });
});
serveOnLoopback(server);
