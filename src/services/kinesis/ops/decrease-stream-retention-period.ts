import { KinesisError } from "../errors.js";
import type { OpContext } from "../operation.js";
import type { DecreaseStreamRetentionPeriodInput } from "../shapes/types.js";
import { checkRetentionBounds } from "./increase-stream-retention-period.js";

/** Shortens how long records are kept; the retention worker then deletes what became too old. */
export async function decreaseStreamRetentionPeriod(input: DecreaseStreamRetentionPeriodInput, { state }: OpContext): Promise<void> {
  const stream = state.requireActive(input);
  checkRetentionBounds(input.RetentionPeriodHours);
  if (input.RetentionPeriodHours > stream.retentionHours) {
    throw new KinesisError(
      "InvalidArgumentException",
      `Requested retention period (${input.RetentionPeriodHours} hours) for stream ${stream.name} can not be longer than existing retention period (${stream.retentionHours} hours). Use IncreaseRetentionPeriod API.`,
    );
  }
  state.meta.updateStream(stream.id, { retentionHours: input.RetentionPeriodHours });
}
