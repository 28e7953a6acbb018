import type { FirehoseState } from "../state.js";

/** What every operation receives besides its input. */
export interface OpContext {
  readonly state: FirehoseState;
  /** The caller's account: delivery streams are per account. */
  readonly accountId: string;
}
