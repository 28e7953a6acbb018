/**
 * The part of Java's DateTimeFormatter pattern language that S3 prefixes use
 * (`!{timestamp:yyyy-MM-dd}`): letters are fields, text in single quotes is literal ('' is a
 * quote), anything else is copied. Firehose evaluates these in UTC unless CustomTimeZone says
 * otherwise (Firehose developer guide, "Custom Prefixes for Amazon S3 Objects").
 */

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Calendar fields of an instant in a time zone. */
interface Fields {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  weekday: number; // 0 = Sunday
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function fieldsOf(ms: number, timeZone: string): Fields {
  const d = new Date(ms);
  if (timeZone === "UTC" || timeZone === "") {
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      millis: d.getUTCMilliseconds(),
      weekday: d.getUTCDay(),
    };
  }
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(d)) parts[p.type] = p.value;
  return {
    year: Number(parts["year"]),
    month: Number(parts["month"]),
    day: Number(parts["day"]),
    hour: Number(parts["hour"]),
    minute: Number(parts["minute"]),
    second: Number(parts["second"]),
    millis: d.getUTCMilliseconds(),
    weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts["weekday"] ?? "Sun"),
  };
}

/** Whether `timeZone` is one the runtime knows (an IANA name). */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone === "" || timeZone === "UTC") return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function dayOfYear(f: Fields): number {
  return Math.round((Date.UTC(f.year, f.month - 1, f.day) - Date.UTC(f.year, 0, 1)) / 86_400_000) + 1;
}

/** Thrown for a pattern the formatter does not understand. */
export class DateFormatError extends Error {
  override readonly name = "DateFormatError";
}

type Token = { literal: string } | { letter: string; count: number };

function tokenize(pattern: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        out.push({ literal: "'" });
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      if (end === -1) throw new DateFormatError(`Pattern ends with an incomplete string literal: ${pattern}`);
      let text = pattern.slice(i + 1, end);
      let j = end;
      // '' inside a quoted section is a quote.
      while (pattern[j + 1] === "'") {
        const next = pattern.indexOf("'", j + 2);
        if (next === -1) throw new DateFormatError(`Pattern ends with an incomplete string literal: ${pattern}`);
        text += "'" + pattern.slice(j + 2, next);
        j = next;
      }
      out.push({ literal: text });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let n = 1;
      while (pattern[i + n] === c) n++;
      out.push({ letter: c, count: n });
      i += n;
      continue;
    }
    if (c === "[" || c === "]" || c === "{" || c === "}" || c === "#") throw new DateFormatError(`Pattern includes reserved character: '${c}'`);
    out.push({ literal: c });
    i++;
  }
  return out;
}

function field(letter: string, count: number, f: Fields): string {
  switch (letter) {
    case "y":
    case "u":
      return count === 2 ? pad(f.year % 100, 2) : pad(f.year, count);
    case "M":
    case "L":
      if (count >= 4) return MONTHS[f.month - 1]!;
      if (count === 3) return MONTHS[f.month - 1]!.slice(0, 3);
      return pad(f.month, count);
    case "d":
      return pad(f.day, count);
    case "D":
      return pad(dayOfYear(f), count);
    case "H":
      return pad(f.hour, count);
    case "k":
      return pad(f.hour === 0 ? 24 : f.hour, count);
    case "h":
      return pad(f.hour % 12 === 0 ? 12 : f.hour % 12, count);
    case "K":
      return pad(f.hour % 12, count);
    case "m":
      return pad(f.minute, count);
    case "s":
      return pad(f.second, count);
    case "S":
      return pad(f.millis, 3).padEnd(count, "0").slice(0, count);
    case "a":
      return f.hour < 12 ? "AM" : "PM";
    case "E":
      return count >= 4 ? DAYS[f.weekday]! : DAYS[f.weekday]!.slice(0, 3);
    case "e":
      return String(((f.weekday + 6) % 7) + 1);
    default:
      throw new DateFormatError(`Unknown pattern letter: ${letter}`);
  }
}

/** Checks a pattern without formatting anything (CreateDeliveryStream validates prefixes up front). */
export function checkDatePattern(pattern: string): void {
  for (const t of tokenize(pattern)) if ("letter" in t) field(t.letter, t.count, fieldsOf(0, "UTC"));
}

/** Formats `ms` with a DateTimeFormatter pattern in `timeZone` (IANA name, default UTC). */
export function formatDate(pattern: string, ms: number, timeZone = "UTC"): string {
  const f = fieldsOf(ms, timeZone);
  return tokenize(pattern)
    .map((t) => ("literal" in t ? t.literal : field(t.letter, t.count, f)))
    .join("");
}
