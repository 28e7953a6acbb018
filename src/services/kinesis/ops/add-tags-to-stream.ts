import { checkTagCount } from "../limits.js";
import type { OpContext } from "../operation.js";
import type { AddTagsToStreamInput } from "../shapes/types.js";

/** Adds or overwrites tags (at most 50 per stream). */
export async function addTagsToStream(input: AddTagsToStreamInput, { state }: OpContext): Promise<void> {
  const stream = state.requireReadable(input);
  checkTagCount(stream.name, state.accountId, state.meta.getTags(stream.id), input.Tags);
  state.meta.putTags(stream.id, input.Tags);
}
