import { checkTagCount } from "../limits.js";
import type { OpContext } from "../operation.js";
import { resolveResource } from "../resources.js";
import type { TagResourceInput } from "../shapes/types.js";

/** Tags a stream or consumer by ARN. */
export async function tagResource(input: TagResourceInput, { state }: OpContext): Promise<void> {
  const r = resolveResource(state, input.ResourceARN);
  checkTagCount(r.streamName, state.accountId, state.meta.getTags(r.key), input.Tags);
  state.meta.putTags(r.key, input.Tags);
}
