import type { PutRecordInput, PutRecordOutput } from "../shapes/types.js";
import type { OpContext } from "./context.js";
import { spoolRecords } from "./spool.js";

/** Writes one record; durable when this resolves. */
export async function putRecord(input: PutRecordInput, ctx: OpContext): Promise<PutRecordOutput> {
  const [id] = await spoolRecords(input.DeliveryStreamName, [input.Record.Data], ctx);
  return { RecordId: id!, Encrypted: false };
}
