import type { OpContext } from "../operation.js";
import type { StartStreamEncryptionInput } from "../shapes/types.js";

/** Marks the stream KMS-encrypted (records report EncryptionType KMS); the stream is UPDATING meanwhile. */
export async function startStreamEncryption(input: StartStreamEncryptionInput, { state }: OpContext): Promise<void> {
  const stream = state.requireActive(input);
  state.meta.updateStream(stream.id, {
    encryptionType: input.EncryptionType,
    keyId: input.EncryptionType === "KMS" ? input.KeyId : null,
    status: "UPDATING",
    statusUntil: state.now() + state.options.transitionDelayMs,
  });
}
