/** What a request's abort signal watches: the response closing, and the server's shutdown. */
interface Closable {
  once(event: "close", listener: () => void): unknown;
  readonly writableFinished: boolean;
}

/**
 * A request's abort signal, made only when something asks for it: an AbortController and its
 * listener on the shutdown signal cost ~5 µs, and most requests (every GET) never look at it.
 * It behaves as if made when the request arrived: aborted with "client went away" when the
 * response closes unfinished, or with "server shutting down" when shutdown begins while the
 * request is in flight (not when it had begun before the request arrived; the first reason wins).
 */
export class RequestSignal {
  readonly #shutdown: AbortSignal;
  readonly #shutdownAtStart: boolean;
  #controller: AbortController | undefined;
  #closed = false;
  /** Why the signal is (or would be) aborted, once the response has closed. */
  #reason: Error | undefined;
  #onShutdown: (() => void) | undefined;

  constructor(res: Closable, shutdown: AbortSignal) {
    this.#shutdown = shutdown;
    this.#shutdownAtStart = shutdown.aborted;
    res.once("close", () => this.#onClose(res.writableFinished));
  }

  /** The signal, made on first use. */
  get signal(): AbortSignal {
    if (this.#controller !== undefined) return this.#controller.signal;
    const controller = new AbortController();
    this.#controller = controller;
    if (this.#reason !== undefined) controller.abort(this.#reason);
    else if (this.#shuttingDown()) controller.abort(shutdownError());
    else if (!this.#closed && !this.#shutdownAtStart) {
      this.#onShutdown = () => controller.abort(shutdownError());
      this.#shutdown.addEventListener("abort", this.#onShutdown, { once: true });
    }
    return controller.signal;
  }

  /** Whether the signal is aborted (without making it). */
  get aborted(): boolean {
    if (this.#controller !== undefined) return this.#controller.signal.aborted;
    return this.#reason !== undefined || this.#shuttingDown();
  }

  /** Shutdown began after the request arrived and before its response closed. */
  #shuttingDown(): boolean {
    return !this.#closed && !this.#shutdownAtStart && this.#shutdown.aborted;
  }

  #onClose(finished: boolean): void {
    if (this.#controller === undefined && this.#reason === undefined) {
      if (this.#shuttingDown()) this.#reason = shutdownError();
      else if (!finished) this.#reason = new Error("client went away");
    }
    this.#closed = true;
    if (this.#controller !== undefined) {
      if (!finished) this.#controller.abort(new Error("client went away"));
      if (this.#onShutdown !== undefined) this.#shutdown.removeEventListener("abort", this.#onShutdown);
    }
  }
}

function shutdownError(): Error {
  return new Error("server shutting down");
}
