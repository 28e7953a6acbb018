import type { ListTagsForDeliveryStreamInput, ListTagsForDeliveryStreamOutput } from "../shapes/types.js";
import type { OpContext } from "./context.js";
import { MAX_TAGS } from "./tag-delivery-stream.js";

/** Tags in key order after ExclusiveStartTagKey, at most Limit (default 50). */
export async function listTagsForDeliveryStream(input: ListTagsForDeliveryStreamInput, { state, accountId }: OpContext): Promise<ListTagsForDeliveryStreamOutput> {
  const row = state.require(accountId, input.DeliveryStreamName);
  const limit = input.Limit ?? MAX_TAGS;
  const all = Object.entries(state.meta.getTags(row.id))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .filter(([k]) => input.ExclusiveStartTagKey === undefined || k > input.ExclusiveStartTagKey);
  return { Tags: all.slice(0, limit).map(([Key, Value]) => ({ Key, Value })), HasMoreTags: all.length > limit };
}
