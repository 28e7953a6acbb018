/**
 * RFC 7231 IMF-fixdate of `ms`, as S3 writes Last-Modified and Date headers and Kinesis its Date
 * header. The text depends only on the second, and answers and objects written together share
 * one: a few recent ones are kept.
 */
export function httpDate(ms: number): string {
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
