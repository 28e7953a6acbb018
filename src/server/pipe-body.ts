import { IncomingMessage } from "node:http";
import type { Readable, Transform } from "node:stream";
import { prematureClose } from "../util/premature-close.js";

/**
 * Pipes the request into its body verifier with `pipeline(req, body)`'s failure rules, without
 * the AbortController (and its DOMException) that every `pipeline` call makes and aborts: that
 * cost showed at ~8% of the server's CPU on 4 KiB GETs. Either side failing (an error, or a close
 * before it ended) destroys the other with the error, unless that side already completed; errors
 * surface on `body`, where the operation reads it.
 */
export function pipeBody(req: Readable, body: Transform): void {
  let failed = false;
  const fail = (err: Error): void => {
    if (failed) return;
    failed = true;
    if (!body.destroyed && !body.writableFinished) body.destroy(err);
    if (!req.destroyed && !req.readableEnded) {
      // As Node's own stream destroyer does for a server request (lib/internal/streams/destroy.js):
      // drop the socket first so destroying the request leaves the connection to send our answer.
      if (req instanceof IncomingMessage) (req as unknown as { socket: null }).socket = null;
      req.destroy(err);
    }
  };
  req.on("error", fail);
  req.once("close", () => {
    if (!req.readableEnded) fail(prematureClose());
  });
  body.on("error", fail);
  body.once("close", () => {
    if (!body.writableFinished) fail(prematureClose());
  });
  req.pipe(body);
}
