import type { OpContext } from "../operation.js";
import type { ListTagsForStreamInput, ListTagsForStreamOutput } from "../shapes/types.js";

/** A stream's tags in key order, after ExclusiveStartTagKey, at most Limit (default: all 50 a stream can have). */
export async function listTagsForStream(input: ListTagsForStreamInput, { state }: OpContext): Promise<ListTagsForStreamOutput> {
  const stream = state.requireStream(input);
  const after = input.ExclusiveStartTagKey;
  const tags = Object.entries(state.meta.getTags(stream.id)).filter(([k]) => after === undefined || k > after);
  const limit = input.Limit ?? 50;
  return {
    Tags: tags.slice(0, limit).map(([Key, Value]) => ({ Key, Value })),
    HasMoreTags: tags.length > limit,
  };
}
