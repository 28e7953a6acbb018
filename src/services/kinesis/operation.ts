import type { KinesisState } from "./state.js";

/** What an operation gets besides its input: the service state and the request's abort signal. */
export interface OpContext {
  readonly state: KinesisState;
  /** Aborted when the client goes away or the server shuts down. */
  readonly signal: AbortSignal;
}
