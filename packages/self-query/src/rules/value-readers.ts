import * as chrono from "chrono-node";
import {
  addUnits,
  componentsToPeriod,
  dayPeriod,
  monthPeriod,
  type Period,
  parseDateText,
  utc,
  yearPeriod,
} from "../dates.js";
import { allFree, isFree, type ParseContext } from "./context.js";
import { type NumberRead, readDecade, readNumber } from "./numbers.js";

/** Calendar unit of relative dates and durations. */
export type TimeUnit = "day" | "week" | "month" | "year";

/** A quantity read at a token: a number, a period, a rolling window ("since t") or a duration. */
export type Value =
  | { kind: "number"; n: NumberRead; start: number; end: number }
  | {
      kind: "period";
      p: Period;
      start: number;
      end: number;
      cued: boolean;
      decade: boolean;
      subYear: boolean;
      /**
       * A year written bare, with no date preposition or comparator ("a 2016 shiraz", "pycon 2024
       * talks"): like a decade, it says when the thing came to be (its vintage, model year).
       */
      bare?: boolean;
      /**
       * "6 months ago": the instant that many units before today (epoch ms, day-aligned); with a
       * comparator the instant bounds the date ("more than 6 months ago": before it).
       */
      ago?: number;
      /**
       * A day named from today forward ("tonight", "on Saturday"): when the request's own plans
       * are meant ("a film to watch tonight"), never a date of past events.
       */
      ahead?: boolean;
    }
  | { kind: "since"; t: number; start: number; end: number }
  /** A closed window of whole days ahead, `from` today through `to` (both day starts). */
  | { kind: "window"; from: number; to: number; start: number; end: number }
  | { kind: "duration"; count: number; unit: TimeUnit; start: number; end: number };

export const TIME_UNITS: Record<string, TimeUnit> = {
  day: "day",
  days: "day",
  week: "week",
  weeks: "week",
  month: "month",
  months: "month",
  year: "year",
  years: "year",
  yr: "year",
  yrs: "year",
};
const MONTHS =
  /^(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)(uary|ruary|ch|il|e|y|ust|tember|ober|ember)?\.?$/;
function startOfUnit(now: Date, unit: TimeUnit): number {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() + 1;
  if (unit === "year") return utc(y);
  if (unit === "month") return utc(y, m);
  const day = utc(y, m, now.getUTCDate());
  if (unit === "week") return day - ((now.getUTCDay() + 6) % 7) * 86_400_000; // ISO week starts Monday
  return day;
}

/** The calendar unit starting at `start` ("this month", "next year"), read from tokens [i, end). */
function wholeUnit(start: number, unit: TimeUnit, i: number, end: number): Value {
  return {
    kind: "period",
    p: { start, end: addUnits(start, unit, 1) },
    start: i,
    end,
    cued: true,
    decade: false,
    subYear: unit !== "year",
  };
}

function unitPeriod(t: number, unit: TimeUnit): Period {
  const d = new Date(t);
  if (unit === "year") return yearPeriod(d.getUTCFullYear());
  if (unit === "month") return monthPeriod(d.getUTCFullYear(), d.getUTCMonth() + 1);
  if (unit === "week") return { start: t, end: t + 7 * 86_400_000 };
  return dayPeriod(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

/**
 * A weekday (with "this", "next" or "last" before it, or none) as the one day it names: the
 * coming one, today included ("on Saturday", "this Friday"); a week later after "next"; the most
 * recent one before today after "last". The reference is `today` (UTC day start).
 */
function readWeekday(ctx: ParseContext, i: number, today: number): Value | undefined {
  const t = ctx.tokens;
  const lead = t[i]?.low ?? "";
  const k = ["this", "next", "last", "coming"].includes(lead) ? i + 1 : i;
  const name = (t[k]?.low ?? "").replace(/s$/, "");
  const day = WEEKDAYS.indexOf(name);
  if (day < 0 || !allFree(ctx, i, k + 1)) return undefined;
  const dow = new Date(today).getUTCDay();
  let ahead = (day - dow + 7) % 7;
  if (lead === "next") ahead += ahead === 0 ? 7 : 0;
  if (lead === "last") ahead = ahead === 0 ? -7 : ahead - 7;
  const start = today + ahead * 86_400_000;
  return {
    kind: "period",
    p: { start, end: start + 86_400_000 },
    start: i,
    end: k + 1,
    cued: true,
    decade: false,
    subYear: true,
    ahead: lead !== "last",
  };
}

export function readRelative(ctx: ParseContext, i: number): Value | undefined {
  const t = ctx.tokens;
  const now = ctx.now;
  const low = (k: number) => t[k]?.low ?? "";
  const ref = now.getTime();
  // "the last 30 days" counts whole days: from the start (UTC) of the day 30 days ago
  const today = Math.floor(ref / 86_400_000) * 86_400_000;
  // "tonight", "this evening": today; a weekday: its coming date ("on Saturday"), or the last one
  // after "last" ("last Monday")
  const weekday = readWeekday(ctx, i, today);
  if (weekday) return weekday;
  if (low(i) === "today" || low(i) === "tonight")
    return {
      kind: "period",
      p: unitPeriod(ref, "day"),
      start: i,
      end: i + 1,
      cued: true,
      decade: false,
      subYear: true,
      ahead: low(i) === "tonight",
    };
  if (low(i) === "yesterday") {
    return {
      kind: "period",
      p: unitPeriod(ref - 86_400_000, "day"),
      start: i,
      end: i + 1,
      cued: true,
      decade: false,
      subYear: true,
    };
  }
  if (low(i) === "tomorrow") {
    return {
      kind: "period",
      p: unitPeriod(ref + 86_400_000, "day"),
      start: i,
      end: i + 1,
      cued: true,
      decade: false,
      subYear: true,
      ahead: true,
    };
  }
  if ((low(i) === "this" || low(i) === "next") && (low(i + 1) === "weekend" || low(i + 1) === "weekends")) {
    // the coming Saturday and Sunday (the current ones on a weekend); "next" is the one after
    const day = Math.floor(ref / 86_400_000) * 86_400_000;
    const dow = now.getUTCDay();
    const toSaturday = dow === 0 ? -1 : 6 - dow;
    const start = day + (toSaturday + (low(i) === "next" ? 7 : 0)) * 86_400_000;
    return {
      kind: "period",
      p: { start, end: start + 2 * 86_400_000 },
      start: i,
      end: i + 2,
      cued: true,
      decade: false,
      subYear: true,
      // "to binge this weekend": maybe the reader's plan, never a past event's date
      ahead: true,
    };
  }
  let j = i;
  const article = low(j) === "the";
  if (article) j++;
  const w = low(j);
  if (w === "next" || w === "coming") {
    // "the next 7 days", "the coming 2 weeks": today through that many units ahead
    const n = readNumber(t, j + 1);
    const unit = n && !n.currency ? TIME_UNITS[low(n.end)] : undefined;
    if (n && unit)
      return { kind: "window", from: today, to: addUnits(today, unit, n.value), start: i, end: n.end + 1 };
  }
  if ((w === "next" || w === "coming") && TIME_UNITS[low(j + 1)] && !article) {
    // "next month": the whole next calendar unit
    const unit = TIME_UNITS[low(j + 1)]!;
    return wholeUnit(addUnits(startOfUnit(now, unit), unit, 1), unit, i, j + 2);
  }
  if (w === "this" || w === "current") {
    const unit = TIME_UNITS[low(j + 1)];
    if (!unit || article) return undefined;
    return wholeUnit(startOfUnit(now, unit), unit, i, j + 2);
  }
  if (w === "last" || w === "past" || w === "previous" || w === "recent" || w === "prior") {
    const n = readNumber(t, j + 1);
    if (n && TIME_UNITS[low(n.end)]) {
      const unit = TIME_UNITS[low(n.end)]!;
      return { kind: "since", t: addUnits(today, unit, -n.value), start: i, end: n.end + 1 };
    }
    const unit = TIME_UNITS[low(j + 1)];
    if (!unit) return undefined;
    if (!article && (w === "last" || w === "previous")) {
      const start = addUnits(startOfUnit(now, unit), unit, -1);
      return {
        kind: "period",
        p: { start, end: addUnits(start, unit, 1) },
        start: i,
        end: j + 2,
        cued: true,
        decade: false,
        subYear: unit !== "year",
      };
    }
    return { kind: "since", t: addUnits(today, unit, -1), start: i, end: j + 2 };
  }
  if (article) return undefined;
  // "a year ago", "an hour ago": one unit
  const one =
    (low(i) === "a" || low(i) === "an") && TIME_UNITS[low(i + 1)] ? { value: 1, end: i + 1 } : undefined;
  const n = one ?? readNumber(t, i);
  if (n && !("currency" in n && n.currency) && TIME_UNITS[low(n.end)]) {
    const unit = TIME_UNITS[low(n.end)]!;
    if (low(n.end + 1) === "ago") {
      const p = unitPeriod(addUnits(ref, unit, -n.value), unit);
      return {
        kind: "period",
        p,
        start: i,
        end: n.end + 2,
        cued: true,
        decade: false,
        subYear: unit !== "year",
        ago: addUnits(today, unit, -n.value),
      };
    }
  }
  return undefined;
}

/**
 * A month name with no year whose year a later date gives ("between March and May 2026"): the
 * month of that year, or undefined.
 */
export function monthOfYear(ctx: ParseContext, i: number, later: Value): Value | undefined {
  const t = ctx.tokens[i];
  if (!t || !MONTHS.test(t.low) || later.kind !== "period" || !later.cued || !isFree(ctx, i))
    return undefined;
  const k = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].indexOf(
    t.low.slice(0, 3),
  );
  const year = new Date(later.p.start).getUTCFullYear();
  return {
    kind: "period",
    p: monthPeriod(year, k + 1),
    start: i,
    end: i + 1,
    cued: true,
    decade: false,
    subYear: true,
  };
}

/** Words after which "may" and "march" are months, not verbs. */
const MONTH_PREPOSITIONS = new Set([
  "in",
  "since",
  "before",
  "after",
  "until",
  "till",
  "by",
  "from",
  "between",
  "during",
  "of",
  "through",
  "early",
  "late",
  "mid",
  "last",
  "next",
  "this",
]);
const MONTH_JOINERS = new Set(["and", "or", "to", "-", "–", "through", "until", ","]);

function readDate(ctx: ParseContext, i: number): Value | undefined {
  const t = ctx.tokens[i];
  if (!t) return undefined;
  if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(t.low)) {
    const p = parseDateText(t.low, ctx.now);
    return p
      ? { kind: "period", p, start: i, end: i + 1, cued: true, decade: false, subYear: true }
      : undefined;
  }
  const quarter = /^q([1-4])$/.exec(t.low);
  const qYear = ctx.tokens[i + 1]?.low ?? "";
  if (quarter && /^\d{4}$/.test(qYear) && isFree(ctx, i + 1)) {
    const q = Number(quarter[1]);
    const p = { start: utc(Number(qYear), 3 * q - 2), end: utc(Number(qYear), 3 * q + 1) };
    return { kind: "period", p, start: i, end: i + 2, cued: true, decade: false, subYear: true };
  }
  const isMonth =
    MONTHS.test(t.low) ||
    (/^\d{1,2}(st|nd|rd|th)?$/.test(t.low) && MONTHS.test(ctx.tokens[i + 1]?.low ?? ""));
  if (!isMonth) return undefined;
  if (t.low === "may" || t.low === "march" || t.low === "mar") {
    // "may"/"march" are usually verbs: only a date with a year or day next to them, or a month
    // after a preposition ("since May", "in March") or after another month ("April or May")
    const prev = ctx.tokens[i - 1]?.low ?? "";
    const afterMonth = MONTH_JOINERS.has(prev) && MONTHS.test(ctx.tokens[i - 2]?.low ?? "");
    if (!/^\d/.test(ctx.tokens[i + 1]?.low ?? "") && !MONTH_PREPOSITIONS.has(prev) && !afterMonth)
      return undefined;
  }
  const text = ctx.tokens
    .slice(i, i + 6)
    .map((x) => x.text)
    .join(" ");
  const r = chrono.parse(text, ctx.now, { forwardDate: false })[0];
  if (r?.index !== 0) return undefined;
  const p = componentsToPeriod(r.start, ctx.now);
  if (!p) return undefined;
  // how many tokens chrono used
  let used = 0;
  let len = 0;
  while (used < 6 && i + used < ctx.tokens.length && len < r.text.length) {
    len += ctx.tokens[i + used]!.text.length + 1;
    used++;
  }
  if (!allFree(ctx, i, i + used)) return undefined;
  const yearKnown = r.start.isCertain("year");
  return { kind: "period", p, start: i, end: i + used, cued: yearKnown, decade: false, subYear: true };
}

export function readValue(ctx: ParseContext, i: number): Value | undefined {
  if (!isFree(ctx, i)) return undefined;
  const rel = readRelative(ctx, i);
  if (rel) return allFree(ctx, i, rel.end) ? rel : undefined;
  const dec = readDecade(ctx.tokens, i);
  if (dec && allFree(ctx, i, dec.end)) {
    return {
      kind: "period",
      p: { start: utc(dec.from), end: utc(dec.to + 1) },
      start: i,
      end: dec.end,
      cued: true,
      decade: true,
      subYear: false,
    };
  }
  const date = readDate(ctx, i);
  if (date) return date;
  let n = readNumber(ctx.tokens, i);
  const low = ctx.tokens[i]?.low;
  if (!n && low === "half" && ["a", "an"].includes(ctx.tokens[i + 1]?.low ?? "") && isFree(ctx, i + 1)) {
    // "half an hour", "half a day"
    const unit = ctx.tokens[i + 2]?.low ?? "";
    if (ctx.index.units.has(unit) || TIME_UNITS[unit])
      n = { value: 0.5, end: i + 2, currency: false, words: true, plainInteger: false };
  }
  if (!n && (low === "a" || low === "an") && isFree(ctx, i + 1)) {
    // "an hour", "a year"
    const unit = ctx.tokens[i + 1]?.low ?? "";
    if (ctx.index.units.has(unit) || TIME_UNITS[unit])
      n = { value: 1, end: i + 1, currency: false, words: true, plainInteger: false };
  }
  if (!n || !allFree(ctx, i, n.end)) return undefined;
  const unitWord = ctx.tokens[n.end]?.low ?? "";
  if (!n.currency && TIME_UNITS[unitWord] && !ctx.index.units.has(unitWord) && isFree(ctx, n.end)) {
    return { kind: "duration", count: n.value, unit: TIME_UNITS[unitWord]!, start: i, end: n.end + 1 };
  }
  return { kind: "number", n, start: i, end: n.end };
}
