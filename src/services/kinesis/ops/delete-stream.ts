import { KinesisError } from "../errors.js";
import type { OpContext } from "../operation.js";
import type { DeleteStreamInput } from "../shapes/types.js";

/** Puts a stream in DELETING; its shards, consumers and records go when the transition completes. */
export async function deleteStream(input: DeleteStreamInput, { state }: OpContext): Promise<void> {
  const stream = state.requireStream(input);
  if (stream.status === "DELETING") throw state.notFound(stream.name);
  const consumers = state.meta.listConsumers(stream.id);
  if (consumers.length > 0 && input.EnforceConsumerDeletion !== true) {
    throw new KinesisError(
      "ResourceInUseException",
      `Stream ${stream.name} under account ${state.accountId} has registered consumers. Deregister them first or set EnforceConsumerDeletion.`,
    );
  }
  state.meta.updateStream(stream.id, { status: "DELETING", statusUntil: state.now() + state.options.transitionDelayMs });
}
