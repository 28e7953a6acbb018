// The no-work reference: answers every request 200 with an empty body after reading and
// discarding the request body. Its rate is the ceiling of any Node HTTP server on this machine.
// Usage: node noop-server.js  -> prints {"port":N} on stdout; SIGTERM stops it.
import http from "node:http";
import { answerEmpty, serveOnLoopback } from "./serve.js";

serveOnLoopback(http.createServer((req, res) => void answerEmpty(req, res)));
