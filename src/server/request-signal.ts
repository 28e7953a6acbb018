import type { AbortHook } from "./service.js";

/** What a request's abort signal watches: the response closing, and the server's shutdown. */
interface Closable {
  on(event: "close", listener: () => void): unknown;
  readonly writableFinished: boolean;
}

const noop = (): void => {};

/**
 * A request's abort state. Its AbortSignal is made only when something asks for it: making one
 * and listening on it cost ~8-20 µs, and most requests never look at it (every GET); a small PUT
 * listens through `onAbort` instead. It behaves as a signal made when the request arrived: aborted
 * with "client went away" when the response closes unfinished, or with "server shutting down"
 * when shutdown begins while the request is in flight (not when it had begun before the request
 * arrived); the first reason wins.
 */
export class RequestSignal implements AbortHook {
  readonly #shutdown: AbortSignal;
  readonly #shutdownAtStart: boolean;
  #controller: AbortController | undefined;
  #listeners: Array<(reason: Error) => void> | undefined;
  #closed = false;
  /** Set once aborted. */
  #reason: Error | undefined;
  #watchingShutdown = false;
  #onShutdown: (() => void) | undefined;

  constructor(res: Closable, shutdown: AbortSignal) {
    this.#shutdown = shutdown;
    this.#shutdownAtStart = shutdown.aborted;
    // 'close' comes once: a plain listener spares the wrapper once() makes.
    res.on("close", () => this.#onClose(res.writableFinished));
  }

  /** The signal, made on first use. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#catchUp();
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#reason !== undefined) controller.abort(this.#reason);
      else this.#watch();
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    this.#catchUp();
    return this.#reason !== undefined;
  }

  get reason(): Error | undefined {
    this.#catchUp();
    return this.#reason;
  }

  onAbort(listener: (reason: Error) => void): () => void {
    this.#catchUp();
    // As an 'abort' listener added to a signal already aborted: never called.
    if (this.#reason !== undefined) return noop;
    const listeners = (this.#listeners ??= []);
    listeners.push(listener);
    this.#watch();
    return () => {
      const i = listeners.indexOf(listener);
      if (i !== -1) listeners.splice(i, 1);
      if (listeners.length === 0 && this.#controller === undefined) this.#unwatch();
    };
  }

  /** Shutdown may have begun while nothing watched it: apply it as a listener made on arrival would have. */
  #catchUp(): void {
    if (this.#reason === undefined && !this.#closed && !this.#shutdownAtStart && this.#shutdown.aborted) this.#fire(shutdownError());
  }

  #watch(): void {
    if (this.#watchingShutdown || this.#closed || this.#shutdownAtStart || this.#reason !== undefined) return;
    this.#watchingShutdown = true;
    this.#onShutdown ??= () => this.#fire(shutdownError());
    this.#shutdown.addEventListener("abort", this.#onShutdown, { once: true });
  }

  #unwatch(): void {
    if (!this.#watchingShutdown) return;
    this.#watchingShutdown = false;
    if (this.#onShutdown !== undefined) this.#shutdown.removeEventListener("abort", this.#onShutdown);
  }

  #fire(reason: Error): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#unwatch();
    this.#controller?.abort(reason);
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners.splice(0)) listener(reason);
  }

  #onClose(finished: boolean): void {
    this.#catchUp();
    this.#closed = true;
    this.#unwatch();
    if (!finished) this.#fire(new Error("client went away"));
  }
}

function shutdownError(): Error {
  return new Error("server shutting down");
}
