/** The largest clock difference S3 accepts, in ms (RESTAuthentication: "within 15 minutes"). */
export const MAX_SKEW_MS = 15 * 60 * 1000;

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

// Requests signed in the same second carry the same timestamp: remember the last one parsed.
let lastAmzDate = "";
let lastAmzMs: number | undefined;

/** Parses the ISO 8601 basic form SigV4 uses (20130524T000000Z) to ms since the epoch. */
export function parseAmzDate(s: string): number | undefined {
  if (s === lastAmzDate) return lastAmzMs;
  const ms = parseAmzDateUncached(s);
  lastAmzDate = s;
  lastAmzMs = ms;
  return ms;
}

function parseAmzDateUncached(s: string): number | undefined {
  const m = AMZ_DATE.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  // Reject dates that Date.UTC silently rolls over (20130230T...).
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  if (h > 23 || mi > 59 || se > 59) return undefined;
  return ms;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// RFC 7231 section 7.1.1.1: IMF-fixdate, obsolete RFC 850 and asctime forms. Numeric zones
// ("+0000") are accepted too: the S3 SigV2 examples use them.
const IMF = /^[A-Za-z]{3},\s+(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+(GMT|UTC|UT|Z|[+-]\d{4})$/;
const RFC850 = /^[A-Za-z]+,\s+(\d{2})-([A-Za-z]{3})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})\s+(GMT)$/;
const ASCTIME = /^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/;

function build(day: string, mon: string, year: number, h: string, mi: string, s: string, zone: string): number | undefined {
  const month = MONTHS.findIndex((x) => x.toLowerCase() === mon.toLowerCase());
  if (month < 0) return undefined;
  let ms = Date.UTC(year, month, Number(day), Number(h), Number(mi), Number(s));
  if (/^[+-]\d{4}$/.test(zone)) {
    const sign = zone.startsWith("-") ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
  }
  return Number.isFinite(ms) ? ms : undefined;
}

/** Parses an HTTP date (Date header, SigV2 x-amz-date) to ms since the epoch. */
export function parseHttpDate(s: string): number | undefined {
  const v = s.trim();
  let m = IMF.exec(v);
  if (m !== null) return build(m[1]!, m[2]!, Number(m[3]), m[4]!, m[5]!, m[6]!, m[7]!);
  m = RFC850.exec(v);
  if (m !== null) {
    const yy = Number(m[3]);
    return build(m[1]!, m[2]!, yy < 70 ? 2000 + yy : 1900 + yy, m[4]!, m[5]!, m[6]!, m[7]!);
  }
  m = ASCTIME.exec(v);
  if (m !== null) return build(m[2]!, m[1]!, Number(m[6]), m[3]!, m[4]!, m[5]!, "GMT");
  return undefined;
}

/** 20130524T000000Z */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** 2013-05-24T00:00:00Z, the form S3 uses for ServerTime and Expires in error documents. */
export function formatIsoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
