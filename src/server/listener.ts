import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { Socket } from "node:net";
import { closeQueuedWithConnection } from "./queued-response-close.js";

/** Handles one request on either protocol through Node's compatibility API. */
export type RequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/** One TCP port that serves HTTP/1.1 and cleartext HTTP/2 with prior knowledge. */
export interface Listener {
  /** Starts listening; resolves with the bound port. */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting, lets in-flight requests finish until `deadlineMs`, then cuts what is left. */
  close(deadlineMs: number): Promise<void>;
}

// The HTTP/2 client connection preface (RFC 9113 section 3.4); a client speaking HTTP/2 over
// cleartext with prior knowledge starts with it, an HTTP/1.1 client never does.
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

export function createListener(handler: RequestHandler): Listener {
  const h1 = http.createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 60_000 }, (req, res) => {
    closeQueuedWithConnection(req, res);
    handler(req, res);
  });
  // h1 never listens itself (the TCP server hands it sockets), so start the connection tracking
  // that its 'listening' event would: closeIdleConnections() and headersTimeout depend on it.
  h1.emit("listening");
  const h2 = http2.createServer({ settings: { maxConcurrentStreams: 1000 } }, handler);
  const sockets = new Set<Socket>();
  const sessions = new Set<http2.Http2Session>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  h1.on("clientError", (_err, socket: Socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });

  const tcp = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let seen: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, PREFACE.length);
      const isH2 = seen.subarray(0, n).equals(PREFACE.subarray(0, n));
      if (isH2 && seen.length < PREFACE.length) return; // need more bytes to decide
      socket.removeListener("data", onData);
      socket.pause();
      socket.unshift(seen);
      if (isH2) {
        // The HTTP/2 session reads the socket's handle natively and feeds itself what is already
        // buffered on the next tick; resuming the JS stream here would restart JS reads on the
        // handle and the session would miss the preface ("bad client magic byte string").
        h2.emit("connection", socket);
        return;
      }
      h1.emit("connection", socket);
      socket.resume();
    };
    socket.on("data", onData);
  });

  return {
    listen(port, host) {
      return new Promise((resolvePort, reject) => {
        tcp.once("error", reject);
        tcp.listen(port, host, () => {
          tcp.removeListener("error", reject);
          const address = tcp.address();
          resolvePort(typeof address === "object" && address !== null ? address.port : port);
        });
      });
    },
    async close(deadlineMs) {
      const closed = new Promise<void>((r) => tcp.close(() => r()));
      h1.closeIdleConnections();
      for (const session of sessions) session.close();
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, deadlineMs);
      // Keep closing keep-alive connections as their requests finish.
      const sweep = setInterval(() => h1.closeIdleConnections(), 100);
      await closed;
      clearTimeout(timer);
      clearInterval(sweep);
    },
  };
}
