/**
 * When a number or a list item is a year or a date: a four-digit year written bare, and the
 * items of a list of dates ("in 2021 or 2022").
 */
import type { AttributeInfo } from "../schema.js";
import type { ParseContext } from "./context.js";
import type { NumberRead } from "./numbers.js";
import { dateAttributes } from "./quantity-attrs.js";
import type { Value } from "./value-readers.js";

/**
 * Whether the four-digit year at token `i`, with no date preposition or comparator, reads as a
 * year the item came to be ("a 2016 shiraz", "2025 Canyon Grail", "pycon us 2024 talks"): it
 * stands between words of the request's language (not after or before a number, not in a sum of
 * money, not after "the", "about" or "of", where it names an event: "the 2008 financial crisis"),
 * in a request whose schema has a date or year attribute.
 */
export function bareYear(ctx: ParseContext, i: number): boolean {
  const t = ctx.tokens;
  const prev = t[i - 1];
  const next = t[i + 1];
  if (prev && /^[$£€¥#]$|^\d/.test(prev.text)) return false;
  // "the 2008 financial crisis", "about the 1969 moon landing": a year naming an event
  if (prev && (prev.low === "the" || prev.low === "about" || prev.low === "of")) return false;
  if (next && (/^[%$£€¥]$|^\d/.test(next.text) || next.low === "-")) return false;
  // next to words of another script ("после 2000 года"), the year's role is unknown
  if ([prev, next].some((w) => w && /\p{L}/u.test(w.text) && !/\p{Script=Latin}/u.test(w.text))) return false;
  return dateAttributes(ctx).length > 0;
}

export function isYearNumber(n: NumberRead): boolean {
  return n.plainInteger && !n.currency && !n.unit && n.value >= 1800 && n.value <= 2100;
}

/**
 * "in 2021 or 2022", "2019, 2020 and 2022", "in May or June": the date or year attribute of the
 * listed date mention right before a bare year or month, if any.
 */
export function continuedTimeAttr(ctx: ParseContext, i: number): AttributeInfo | undefined {
  const joiner = ctx.tokens[i - 1]?.low;
  if (joiner !== "or" && joiner !== "and" && joiner !== ",") return undefined;
  const owner = ctx.owner[i - 2];
  const m = owner !== undefined && owner >= 0 ? ctx.mentions[owner] : undefined;
  return m && (m.attr.type === "date" || ctx.schema.isYear(m.attr)) ? m.attr : undefined;
}

export function continuesTimeList(ctx: ParseContext, i: number): boolean {
  return continuedTimeAttr(ctx, i) !== undefined;
}

/** A window of the last days or weeks: "since" a date under 62 days back, or a past period as recent. */
export function isRecent(value: Value, now: Date): boolean {
  const t = now.getTime();
  const limit = 62 * 86_400_000;
  if (value.kind === "since") return t - value.t <= limit;
  if (value.kind !== "period" || value.decade || value.bare) return false;
  return value.p.end <= t + 86_400_000 && t - value.p.start <= limit;
}

/** A window of the coming days or weeks: the next N days, or a period within two months ahead. */
export function isUpcoming(value: Value, now: Date): boolean {
  const t = Math.floor(now.getTime() / 86_400_000) * 86_400_000;
  if (value.kind === "window") return true;
  // a day named for the reader's plans ("tonight", "tomorrow") is not a window on the records
  if (value.kind !== "period" || value.decade || value.bare || value.ahead || !value.subYear) return false;
  return value.p.start >= t && value.p.start - t <= 62 * 86_400_000;
}
