import type { OpContext } from "../operation.js";
import type { StopStreamEncryptionInput } from "../shapes/types.js";

/** Turns server-side encryption off; the stream is UPDATING meanwhile. */
export async function stopStreamEncryption(input: StopStreamEncryptionInput, { state }: OpContext): Promise<void> {
  const stream = state.requireActive(input);
  state.meta.updateStream(stream.id, {
    encryptionType: "NONE",
    keyId: null,
    status: "UPDATING",
    statusUntil: state.now() + state.options.transitionDelayMs,
  });
}
