import { prematureClose } from "./premature-close.js";

/**
 * What a self-writing body sees of the response it writes itself to (an HTTP/1.1 and an HTTP/2
 * server response both have it; see SelfWritingBody in server/write-response.ts).
 */
export interface ResponseSink {
  /** Sends a chunk; `done` runs once the chunk has been handed on, sent, copied or dropped (its memory may be reused then). Returns false when the caller should wait for "drain". */
  write(chunk: Uint8Array, done: (err?: Error | null) => void): boolean;
  end(): void;
  once(event: "drain" | "close" | "finish", listener: () => void): unknown;
  removeListener(event: "drain" | "close" | "finish", listener: () => void): unknown;
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
}

/** Resolves on `event` or "close", whichever comes first (removing both listeners). */
export function whenOrClosed(sink: ResponseSink, event: "drain" | "finish"): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.removeListener(event, done);
      sink.removeListener("close", done);
      resolve();
    };
    sink.once(event, done);
    sink.once("close", done);
  });
}

/** Ends the sink and waits until it has finished; rejects with a premature close if it closes first. */
export async function endAndFinish(sink: ResponseSink): Promise<void> {
  sink.end();
  if (sink.writableFinished) return;
  if (sink.destroyed) throw prematureClose();
  await whenOrClosed(sink, "finish");
  if (!sink.writableFinished) throw prematureClose();
}
