import type { UntagDeliveryStreamInput, UntagDeliveryStreamOutput } from "../shapes/types.js";
import type { OpContext } from "./context.js";

/** Removes tags by key (absent keys are ignored). */
export async function untagDeliveryStream(input: UntagDeliveryStreamInput, { state, accountId }: OpContext): Promise<UntagDeliveryStreamOutput> {
  const row = state.require(accountId, input.DeliveryStreamName);
  state.meta.removeTags(row.id, input.TagKeys);
  return {};
}
