import { KinesisError } from "../errors.js";
import type { OpContext } from "../operation.js";
import { decodeNextToken, encodeNextToken } from "../paging.js";
import type { ListStreamConsumersInput, ListStreamConsumersOutput } from "../shapes/types.js";

export const LIST_CONSUMERS_DEFAULT_LIMIT = 100;

/** A stream's consumers in registration order, paged by NextToken (valid 300 seconds). */
export async function listStreamConsumers(input: ListStreamConsumersInput, { state }: OpContext): Promise<ListStreamConsumersOutput> {
  const stream = state.requireStream({ StreamARN: input.StreamARN });
  let skip = 0;
  if (input.NextToken !== undefined) {
    const token = decodeNextToken(input.NextToken, state.now());
    if (token["stream"] !== stream.id || typeof token["skip"] !== "number") throw new KinesisError("InvalidArgumentException", `Invalid NextToken: ${input.NextToken}`);
    skip = token["skip"];
  }
  const consumers = state.meta
    .listConsumers(stream.id)
    .map((c) => state.settleConsumer(c))
    .filter((c) => c !== undefined);
  const limit = input.MaxResults ?? LIST_CONSUMERS_DEFAULT_LIMIT;
  const page = consumers.slice(skip, skip + limit);
  const out: ListStreamConsumersOutput = {
    Consumers: page.map((c) => ({ ConsumerName: c.name, ConsumerARN: c.arn, ConsumerStatus: c.status, ConsumerCreationTimestamp: new Date(c.createdAt) })),
  };
  if (consumers.length > skip + limit) out.NextToken = encodeNextToken({ stream: stream.id, skip: skip + limit }, state.now());
  return out;
}
