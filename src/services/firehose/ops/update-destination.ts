import { destinationFromUpdate, DESTINATION_ID } from "../destination.js";
import { FirehoseError } from "../errors.js";
import type { UpdateDestinationInput, UpdateDestinationOutput } from "../shapes/types.js";
import type { OpContext } from "./context.js";

/**
 * Merges a destination update (same type) or replaces the destination (another type), guarded
 * by CurrentDeliveryStreamVersionId; the version id then goes up by one (UpdateDestination docs).
 */
export async function updateDestination(input: UpdateDestinationInput, { state, accountId }: OpContext): Promise<UpdateDestinationOutput> {
  const row = state.require(accountId, input.DeliveryStreamName);
  if (row.status !== "ACTIVE") {
    throw new FirehoseError("ResourceInUseException", `Firehose ${row.name} under account ${accountId} is not in the ACTIVE state (current state: ${row.status}).`);
  }
  if (input.DestinationId !== DESTINATION_ID) throw new FirehoseError("InvalidArgumentException", `Destination Id ${input.DestinationId} not found.`);
  if (input.CurrentDeliveryStreamVersionId !== String(row.versionId)) {
    throw new FirehoseError(
      "ConcurrentModificationException",
      `Firehose ${row.name} has been modified: its current version id is ${row.versionId}, not ${input.CurrentDeliveryStreamVersionId}.`,
    );
  }
  const next = destinationFromUpdate(state.destinationOf(row), input, state.options);
  state.meta.updateStream(row.id, { destination: JSON.stringify(next), versionId: row.versionId + 1, updatedAt: state.now() });
  state.changed();
  return {};
}
