// The no-work reference: answers every request 200 with an empty body after reading and
// discarding the request body. Its rate is the ceiling of any Node HTTP server on this machine.
// Usage: node noop-server.js  -> prints {"port":N} on stdout; SIGTERM stops it.
import http from "node:http";

const server = http.createServer((req, res) => {
  req.on("end", () => {
    res.writeHead(200, { "content-length": "0" });
    res.end();
  });
  req.resume();
});
server.keepAliveTimeout = 60_000;
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
