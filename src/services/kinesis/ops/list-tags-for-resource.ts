import type { OpContext } from "../operation.js";
import { resolveResource } from "../resources.js";
import type { ListTagsForResourceInput, ListTagsForResourceOutput } from "../shapes/types.js";

/** Tags of a stream or consumer by ARN. */
export async function listTagsForResource(input: ListTagsForResourceInput, { state }: OpContext): Promise<ListTagsForResourceOutput> {
  const tags = state.meta.getTags(resolveResource(state, input.ResourceARN).key);
  return { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
}
