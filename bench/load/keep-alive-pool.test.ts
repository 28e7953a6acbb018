import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server, type Socket } from "node:net";
import { test } from "node:test";
import { KeepAlivePool } from "./keep-alive-pool.js";

/** A TCP server whose answer to each request head is what `answer` writes (in pieces, to split the parse). */
async function rawServer(answer: (request: string, socket: Socket) => void): Promise<{ origin: string; server: Server }> {
  const server = createServer((socket) => {
    let buf = "";
    socket.on("data", (d: Buffer) => {
      buf += d.toString("latin1");
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      const request = buf.slice(0, end + 4 + length);
      buf = buf.slice(end + 4 + length);
      answer(request, socket);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  assert.ok(typeof address === "object" && address !== null);
  return { origin: `http://127.0.0.1:${address.port}`, server };
}

/** Writes `parts` one per macrotask, so the client sees them as separate reads. */
function writeInPieces(socket: Socket, parts: readonly string[]): void {
  const next = (i: number): void => {
    if (i >= parts.length) return;
    socket.write(parts[i]!, "latin1");
    setTimeout(() => next(i + 1), 2);
  };
  next(0);
}

test("keep-alive pool: one connection carries requests one after another, bodies sent whole", async () => {
  const seen: string[] = [];
  const server = createHttpServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url} ${req.headers["x-test"]} ${body}`);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ got: body, port: req.socket.remotePort }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  assert.ok(typeof address === "object" && address !== null);
  const pool = new KeepAlivePool(`http://127.0.0.1:${address.port}`, 1);
  try {
    const ports = new Set<number>();
    for (const body of ["{}", '{"a":"é"}', Buffer.from("raw")]) {
      const len = Buffer.byteLength(body);
      const res = await pool.request(`POST /x HTTP/1.1\r\nhost: h\r\nx-test: t\r\ncontent-length: ${len}\r\n\r\n`, body);
      assert.equal(res.status, 200);
      assert.equal(res.headers["content-type"], "application/json");
      const out = JSON.parse(res.body.toString()) as { got: string; port: number };
      assert.equal(out.got, body.toString());
      ports.add(out.port);
    }
    assert.equal(ports.size, 1, "the same connection is kept alive");
    // Beyond the pool's size, requests wait their turn.
    const answers = await Promise.all([1, 2, 3].map((i) => pool.request(`POST /q${i} HTTP/1.1\r\nhost: h\r\ncontent-length: 1\r\n\r\n`, String(i))));
    assert.deepEqual(answers.map((a) => JSON.parse(a.body.toString()).got), ["1", "2", "3"]);
    assert.deepEqual(seen.slice(0, 2), ["POST /x t {}", 'POST /x t {"a":"é"}']);
  } finally {
    await pool.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("keep-alive pool: chunked, split and close-delimited answers", async () => {
  let n = 0;
  const { origin, server } = await rawServer((_req, socket) => {
    n++;
    if (n === 1) writeInPieces(socket, ["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nx-a: 2\r\n\r\n5\r\nhel", "lo\r\n6;ext=1\r\n world\r", "\n0\r\n", "Trailer-X: y\r\n\r\n"]);
    else if (n === 2) writeInPieces(socket, ["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad", " Request\r\nContent-Length: 3\r\n\r\n", "abc"]);
    else if (n === 3) writeInPieces(socket, ["HTTP/1.1 204 No Content\r\n\r\n"]);
    else {
      socket.write("HTTP/1.0 200 OK\r\n\r\nuntil ");
      setTimeout(() => socket.end("close"), 2);
    }
  });
  const pool = new KeepAlivePool(origin, 1);
  try {
    const head = "GET / HTTP/1.1\r\nhost: h\r\n\r\n";
    const chunked = await pool.request(head, undefined);
    assert.equal(chunked.body.toString(), "hello world");
    assert.equal(chunked.headers["x-a"], "1, 2");
    const interim = await pool.request(head, undefined);
    assert.equal(interim.status, 400);
    assert.equal(interim.body.toString(), "abc");
    const empty = await pool.request(head, undefined);
    assert.equal(empty.status, 204);
    assert.equal(empty.body.length, 0);
    const closed = await pool.request(head, undefined);
    assert.equal(closed.body.toString(), "until close");
  } finally {
    await pool.close();
    await new Promise((r) => server.close(r));
  }
});

test("keep-alive pool: a connection the server drops fails its request, and the next one reconnects", async () => {
  let n = 0;
  const { origin, server } = await rawServer((_req, socket) => {
    n++;
    if (n === 1) socket.destroy();
    else if (n === 2) socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    else socket.write("SPAM\r\n\r\n");
  });
  const pool = new KeepAlivePool(origin, 1);
  try {
    const head = "GET / HTTP/1.1\r\nhost: h\r\n\r\n";
    await assert.rejects(pool.request(head, undefined), /closed|ECONNRESET|EPIPE/);
    const res = await pool.request(head, undefined);
    assert.equal(res.body.toString(), "ok");
    await assert.rejects(pool.request(head, undefined), /not an HTTP/);
  } finally {
    await pool.close();
    await new Promise((r) => server.close(r));
  }
});
