import { KinesisError } from "./errors.js";

/** Pagination tokens of ListShards and ListStreamConsumers are valid for 300 seconds (ListShards docs). */
export const NEXT_TOKEN_TTL_MS = 300_000;

/** Wraps paging state into an opaque token stamped with its issue time. */
export function encodeNextToken(state: Record<string, unknown>, now: number): string {
  return Buffer.from(JSON.stringify({ ...state, t: now }), "utf8").toString("base64");
}

/** Opens a token: InvalidArgumentException if it is not one, ExpiredNextTokenException if too old. */
export function decodeNextToken(token: string, now: number, ttlMs: number = NEXT_TOKEN_TTL_MS): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || typeof (parsed as { t?: unknown }).t !== "number") {
    throw new KinesisError("InvalidArgumentException", `Invalid NextToken: ${token}`);
  }
  const issued = (parsed as { t: number }).t;
  if (now - issued > ttlMs) throw new KinesisError("ExpiredNextTokenException", "The pagination token passed to the operation is expired.");
  return parsed as Record<string, unknown>;
}
