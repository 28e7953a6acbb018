import { decodeNextToken, encodeNextToken } from "../paging.js";
import type { OpContext } from "../operation.js";
import type { ListStreamsInput, ListStreamsOutput } from "../shapes/types.js";

export const LIST_STREAMS_DEFAULT_LIMIT = 100;

/** Stream names (and summaries) in name order, paged by ExclusiveStartStreamName or NextToken. */
export async function listStreams(input: ListStreamsInput, { state }: OpContext): Promise<ListStreamsOutput> {
  let after = input.ExclusiveStartStreamName;
  if (input.NextToken !== undefined) {
    const token = decodeNextToken(input.NextToken, state.now(), Number.MAX_SAFE_INTEGER);
    if (typeof token["after"] === "string") after = token["after"];
  }
  const streams = state.meta
    .listStreams()
    .map((s) => state.findStream(s.name))
    .filter((s) => s !== undefined)
    .filter((s) => after === undefined || s.name > after);
  const limit = input.Limit ?? LIST_STREAMS_DEFAULT_LIMIT;
  const page = streams.slice(0, limit);
  const hasMore = streams.length > limit;
  const out: ListStreamsOutput = {
    StreamNames: page.map((s) => s.name),
    HasMoreStreams: hasMore,
    StreamSummaries: page.map((s) => ({
      StreamName: s.name,
      StreamARN: state.arnOf(s.name),
      StreamStatus: s.status,
      StreamModeDetails: { StreamMode: s.mode },
      StreamCreationTimestamp: new Date(s.createdAt),
    })),
  };
  const last = page[page.length - 1];
  if (hasMore && last !== undefined) out.NextToken = encodeNextToken({ after: last.name }, state.now());
  return out;
}
