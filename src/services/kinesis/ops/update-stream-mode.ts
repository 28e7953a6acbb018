import { KinesisError } from "../errors.js";
import { onDemandStreams } from "../limits.js";
import type { OpContext } from "../operation.js";
import type { UpdateStreamModeInput } from "../shapes/types.js";

/** Switches between PROVISIONED and ON_DEMAND; the stream is UPDATING meanwhile. */
export async function updateStreamMode(input: UpdateStreamModeInput, { state }: OpContext): Promise<void> {
  const stream = state.requireActive({ StreamARN: input.StreamARN });
  const mode = input.StreamModeDetails.StreamMode;
  if (mode === stream.mode) {
    throw new KinesisError("InvalidArgumentException", `Stream ${stream.name} under account ${state.accountId} is already in ${mode} mode.`);
  }
  if (mode === "ON_DEMAND" && onDemandStreams(state).length >= state.options.onDemandStreamLimit) {
    throw new KinesisError("LimitExceededException", `This request would exceed the on-demand stream limit for the account ${state.accountId}.`);
  }
  state.meta.updateStream(stream.id, { mode, status: "UPDATING", statusUntil: state.now() + state.options.transitionDelayMs });
}
