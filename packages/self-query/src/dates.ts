import * as chrono from "chrono-node";

/** A half-open time interval `[start, end)` in epoch milliseconds (UTC). */
export interface Period {
  start: number;
  end: number;
}

/** Start of a UTC calendar day/month/year. Months are 1-based. */
export function utc(year: number, month = 1, day = 1): number {
  return Date.UTC(year, month - 1, day);
}

/** The whole UTC calendar year. */
export function yearPeriod(year: number): Period {
  return { start: utc(year), end: utc(year + 1) };
}

/** The whole UTC calendar month (1-based). */
export function monthPeriod(year: number, month: number): Period {
  return { start: utc(year, month), end: utc(year, month + 1) };
}

/** The whole UTC day. */
export function dayPeriod(year: number, month: number, day: number): Period {
  return { start: utc(year, month, day), end: utc(year, month, day + 1) };
}

const ISO = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/;

/**
 * Reads a date written as text into the period it names: `"2023"` (the year), `"2023-03"`,
 * `"2023-03-01"`, a full ISO timestamp (a zero-length period), or anything chrono-node reads
 * (`"March 2023"`, `"3 March 2023"`, `"Jan 5th, 2021"`) relative to `reference`. Calendar
 * dates are taken in UTC. Returns `undefined` when the text is not a date.
 */
export function parseDateText(text: string, reference: Date): Period | undefined {
  const s = text.trim();
  if (s.length === 0 || s.length > 100) return undefined;
  const iso = ISO.exec(s);
  if (iso) {
    const y = Number(iso[1]);
    if (!iso[2]) return yearPeriod(y);
    const m = Number(iso[2]);
    if (m < 1 || m > 12) return undefined;
    if (!iso[3]) return monthPeriod(y, m);
    const d = Number(iso[3]);
    if (d < 1 || d > 31) return undefined;
    return dayPeriod(y, m, d);
  }
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?$/.test(s)) {
    const t = Date.parse(s);
    return Number.isFinite(t) ? { start: t, end: t } : undefined;
  }
  const results = chrono.parse(s, reference);
  const r = results[0];
  if (r?.index !== 0 || r.text.length < s.replace(/[.,;]+$/, "").length) return undefined;
  return componentsToPeriod(r.start, reference);
}

/** Turns chrono components into the period they name (day, month or year granularity). */
export function componentsToPeriod(c: chrono.ParsedComponents, reference: Date): Period | undefined {
  const year = c.get("year") ?? reference.getUTCFullYear();
  const month = c.get("month");
  if (month === null) return undefined;
  if (c.isCertain("day")) return dayPeriod(year, month, c.get("day") ?? 1);
  if (c.isCertain("month")) return monthPeriod(year, month);
  if (c.isCertain("year")) return yearPeriod(year);
  return undefined;
}

/** Adds `n` calendar units (may be negative) to a timestamp, in UTC. */
export function addUnits(t: number, unit: "day" | "week" | "month" | "year", n: number): number {
  const d = new Date(t);
  if (unit === "day") return t + n * 86_400_000;
  if (unit === "week") return t + n * 7 * 86_400_000;
  if (unit === "month") d.setUTCMonth(d.getUTCMonth() + n);
  else d.setUTCFullYear(d.getUTCFullYear() + n);
  return d.getTime();
}

/** Start of the UTC day holding `t`. */
export function startOfDay(t: number): number {
  const d = new Date(t);
  return utc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}
