import type http from "node:http";

/**
 * Gives a pipelined HTTP/1.1 response its 'close' when the connection closes before the response
 * had it. Node 20 queues the response of a request pipelined behind one still being answered
 * (`res.socket` is null until the answers ahead have finished) and, when the client drops the
 * connection, aborts the queued request but never closes the queued response (nodejs/node#62534
 * fixed that upstream): whatever waits for that response's 'close', 'drain' or write callbacks (a
 * large GET streaming from its blob, the request's abort signal) waited until the garbage
 * collector took it, holding its file open. Such a response is destroyed and emits 'close', as an
 * answer whose client went away does; a response that has the connection is left to Node.
 */
export function closeQueuedWithConnection(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (res.socket !== null) return;
  const connection = req.socket;
  let closed = false;
  const onConnectionClose = (): void => {
    // After Node's own handlers for the close (a Node that closes queued responses itself has
    // then done so, and it is not done twice).
    setImmediate(() => {
      if (closed || res.socket !== null) return;
      res.destroy();
      res.emit("close");
    });
  };
  res.on("close", () => {
    closed = true;
    connection.removeListener("close", onConnectionClose);
  });
  connection.on("close", onConnectionClose);
}
