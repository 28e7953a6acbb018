import type { ListDeliveryStreamsInput, ListDeliveryStreamsOutput } from "../shapes/types.js";
import type { OpContext } from "./context.js";

/** Names in order, after ExclusiveStartDeliveryStreamName, of one type if asked (default limit 10). */
export async function listDeliveryStreams(input: ListDeliveryStreamsInput, { state, accountId }: OpContext): Promise<ListDeliveryStreamsOutput> {
  const limit = input.Limit ?? 10;
  const names = state.meta
    .listStreams(accountId)
    .map((r) => state.settle(r))
    .filter((r) => r !== undefined)
    .filter((r) => input.DeliveryStreamType === undefined || r.type === input.DeliveryStreamType)
    .map((r) => r.name)
    .filter((n) => input.ExclusiveStartDeliveryStreamName === undefined || n > input.ExclusiveStartDeliveryStreamName);
  return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
}
