import type { OpContext } from "../operation.js";
import { resolveResource } from "../resources.js";
import type { UntagResourceInput } from "../shapes/types.js";

/** Removes tags of a stream or consumer by ARN. */
export async function untagResource(input: UntagResourceInput, { state }: OpContext): Promise<void> {
  state.meta.removeTags(resolveResource(state, input.ResourceARN).key, input.TagKeys);
}
