import { KinesisError } from "../errors.js";
import type { OpContext } from "../operation.js";
import type { IncreaseStreamRetentionPeriodInput } from "../shapes/types.js";

export const MIN_RETENTION_HOURS = 24;
export const MAX_RETENTION_HOURS = 8760;

/** InvalidArgumentException unless 24 <= hours <= 8760 (the service's bounds). */
export function checkRetentionBounds(hours: number): void {
  if (hours < MIN_RETENTION_HOURS) {
    throw new KinesisError(
      "InvalidArgumentException",
      `Minimum allowed retention period is ${MIN_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too short.`,
    );
  }
  if (hours > MAX_RETENTION_HOURS) {
    throw new KinesisError(
      "InvalidArgumentException",
      `Maximum allowed retention period is ${MAX_RETENTION_HOURS} hours. Requested retention period (${hours} hours) is too long.`,
    );
  }
}

/** Lengthens how long records are kept. */
export async function increaseStreamRetentionPeriod(input: IncreaseStreamRetentionPeriodInput, { state }: OpContext): Promise<void> {
  const stream = state.requireActive(input);
  checkRetentionBounds(input.RetentionPeriodHours);
  if (input.RetentionPeriodHours < stream.retentionHours) {
    throw new KinesisError(
      "InvalidArgumentException",
      `Requested retention period (${input.RetentionPeriodHours} hours) for stream ${stream.name} can not be shorter than existing retention period (${stream.retentionHours} hours). Use DecreaseRetentionPeriod API.`,
    );
  }
  state.meta.updateStream(stream.id, { retentionHours: input.RetentionPeriodHours });
}
