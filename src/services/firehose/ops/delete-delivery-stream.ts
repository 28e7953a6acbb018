import type { DeleteDeliveryStreamInput, DeleteDeliveryStreamOutput } from "../shapes/types.js";
import type { OpContext } from "./context.js";

/**
 * Moves the stream to DELETING; it disappears (with its spool and undelivered data, as the
 * service discards them) once the transition completes.
 */
export async function deleteDeliveryStream(input: DeleteDeliveryStreamInput, { state, accountId }: OpContext): Promise<DeleteDeliveryStreamOutput> {
  const row = state.require(accountId, input.DeliveryStreamName);
  if (row.status !== "DELETING") {
    state.meta.updateStream(row.id, { status: "DELETING", statusUntil: state.now() + state.options.transitionDelayMs });
    state.changed();
  }
  return {};
}
