/** RFC 7231 IMF-fixdate, as S3 writes Last-Modified and Date headers. */
export function httpDate(ms: number): string {
  // The text depends only on the second, and objects written together share one: remember a few.
  const second = Math.floor(ms / 1000);
  let text = recentDates.get(second);
  if (text === undefined) {
    text = new Date(ms).toUTCString();
    if (recentDates.size >= RECENT_DATES) recentDates.clear();
    recentDates.set(second, text);
  }
  return text;
}
const RECENT_DATES = 256;
const recentDates = new Map<number, string>();

/** ISO 8601 with milliseconds, as S3 writes timestamps in XML (2026-11-21T16:52:14.000Z). */
export const isoDate = (ms: number): string => new Date(ms).toISOString();

/** Parses an HTTP date header; undefined when absent or unparseable (S3 then ignores the condition). */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
