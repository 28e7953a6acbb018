import { requireConsumer } from "../consumers.js";
import type { OpContext } from "../operation.js";
import type { DeregisterStreamConsumerInput } from "../shapes/types.js";

/** Deregisters a consumer: DELETING for a moment, then gone. */
export async function deregisterStreamConsumer(input: DeregisterStreamConsumerInput, { state }: OpContext): Promise<void> {
  const { consumer } = requireConsumer(state, input);
  if (consumer.status === "DELETING") return;
  state.meta.updateConsumer(consumer.streamId, consumer.name, { status: "DELETING", statusUntil: state.now() + state.options.consumerDelayMs });
}
