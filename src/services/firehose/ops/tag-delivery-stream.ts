import { FirehoseError } from "../errors.js";
import type { TagDeliveryStreamInput, TagDeliveryStreamOutput } from "../shapes/types.js";
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
