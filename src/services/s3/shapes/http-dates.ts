export { httpDate } from "../../../util/http-date.js";

/** ISO 8601 with milliseconds, as S3 writes timestamps in XML (2026-11-21T16:52:14.000Z). */
export const isoDate = (ms: number): string => new Date(ms).toISOString();

/** Parses an HTTP date header; undefined when absent or unparseable (S3 then ignores the condition). */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
