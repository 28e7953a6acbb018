// What both reference servers share: the empty 200 after reading the body, and listening on a
// free loopback port, printed as {"port":N} on stdout, until SIGTERM.
import type http from "node:http";

/** Reads and discards the request body, then answers 200 with no body. */
export function answerEmpty(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    req.on("end", () => {
      res.writeHead(200, { "content-length": "0" });
      res.end();
      resolve();
    });
    req.resume();
  });
}

/** Listens on 127.0.0.1 port 0 with keep-alive and no request timeout (1 GiB bodies), prints the port, stops on SIGTERM. */
export function serveOnLoopback(server: http.Server): void {
  server.keepAliveTimeout = 60_000;
  server.requestTimeout = 0;
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    process.stdout.write(JSON.stringify({ port: address.port }) + "\n");
  });
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
