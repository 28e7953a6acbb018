import type { OpContext } from "../operation.js";
import type { RemoveTagsFromStreamInput } from "../shapes/types.js";

/** Removes tags by key; absent keys are ignored. */
export async function removeTagsFromStream(input: RemoveTagsFromStreamInput, { state }: OpContext): Promise<void> {
  const stream = state.requireReadable(input);
  state.meta.removeTags(stream.id, input.TagKeys);
}
