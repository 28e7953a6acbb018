import { FirehoseError } from "../errors.js";
import type {
  ListTagsForDeliveryStreamInput,
  ListTagsForDeliveryStreamOutput,
  TagDeliveryStreamInput,
  TagDeliveryStreamOutput,
  UntagDeliveryStreamInput,
  UntagDeliveryStreamOutput,
} from "../shapes/types.js";
import type { OpContext } from "./context.js";

/** A delivery stream carries at most 50 tags (TagDeliveryStream docs). */
export const MAX_TAGS = 50;

/** Adds or overwrites tags. */
export async function tagDeliveryStream(input: TagDeliveryStreamInput, { state, accountId }: OpContext): Promise<TagDeliveryStreamOutput> {
  const row = state.require(accountId, input.DeliveryStreamName);
  const current = state.meta.getTags(row.id);
  const next = { ...current };
  for (const t of input.Tags) next[t.Key] = t.Value ?? "";
  if (Object.keys(next).length > MAX_TAGS) {
    throw new FirehoseError("LimitExceededException", `A Firehose stream cannot have more than ${MAX_TAGS} tags.`);
  }
  state.meta.putTags(row.id, Object.fromEntries(input.Tags.map((t) => [t.Key, t.Value ?? ""])));
  return {};
}

/** Removes tags by key (absent keys are ignored). */
export async function untagDeliveryStream(input: UntagDeliveryStreamInput, { state, accountId }: OpContext): Promise<UntagDeliveryStreamOutput> {
  const row = state.require(accountId, input.DeliveryStreamName);
  state.meta.removeTags(row.id, input.TagKeys);
  return {};
}

/** Tags in key order after ExclusiveStartTagKey, at most Limit (default 50). */
export async function listTagsForDeliveryStream(input: ListTagsForDeliveryStreamInput, { state, accountId }: OpContext): Promise<ListTagsForDeliveryStreamOutput> {
  const row = state.require(accountId, input.DeliveryStreamName);
  const limit = input.Limit ?? MAX_TAGS;
  const all = Object.entries(state.meta.getTags(row.id))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .filter(([k]) => input.ExclusiveStartTagKey === undefined || k > input.ExclusiveStartTagKey);
  return { Tags: all.slice(0, limit).map(([Key, Value]) => ({ Key, Value })), HasMoreTags: all.length > limit };
}
