import type { Filter } from "@ragloom/core";
import { addUnits, yearPeriod } from "../dates.js";
import type { AttributeInfo } from "../schema.js";
import { cueAttributes, isMoney } from "./attribute-index.js";
import { addMention, isFree, negationBefore, type ParseContext } from "./context.js";
import { alignYear, eventTense } from "./event-tense.js";
import { DATE_ONLY, DATE_PREPOSITIONS, LIKE_WORDS, type RangeOp } from "./lexicon.js";
import { tryNumberList } from "./number-lists.js";
import { andOf, periodOnDate, periodOnYear, rangeFilter, timeFilter } from "./period-filters.js";
import { datesOrigin, latestTimeAttr, pickNumberAttr, pickTimeAttr, startsState } from "./quantity-attrs.js";
import {
  compoundTail,
  cueAfter,
  cueBefore,
  narrowUnitCue,
  readPostfix,
  readPrefix,
} from "./quantity-cues.js";
import { rateFactor, readRate } from "./rates.js";
import { nameWords } from "./tokenize.js";
import { converted } from "./unit-conversion.js";
import { monthOfYear, readValue, type Value } from "./value-readers.js";
import {
  bareYear,
  continuedTimeAttr,
  continuesTimeList,
  isRecent,
  isUpcoming,
  isYearNumber,
} from "./year-readings.js";

const RANGE_JOINERS = new Set(["and", "to", "-", "–", "—", "through", "thru", "until", "till"]);

/** The comparison seen from the other side: lt ↔ gt, lte ↔ gte. */
function flip(op: RangeOp | undefined): RangeOp | undefined {
  const other: Partial<Record<RangeOp, RangeOp>> = { lt: "gt", gt: "lt", lte: "gte", gte: "lte" };
  return op ? (other[op] ?? op) : op;
}

function emit(ctx: ParseContext, attr: AttributeInfo, filter: Filter, start: number, end: number) {
  addMention(ctx, { attr, start, end, kind: "range", filter, negated: false });
}

/**
 * Builds a mention for `value` with comparator `op` (or none), spanning `start..` plus cues.
 * Returns the end token of what it consumed, or -1 when the value is not a filter.
 */
function build(
  ctx: ParseContext,
  value: Value,
  op: RangeOp | undefined,
  start: number,
  comparator?: string[],
): number {
  const post = op ? undefined : readPostfix(ctx, value.end);
  let theOp = op ?? post?.op;
  let end = post?.end ?? value.end;
  // "5k or less": a postfix comparative is the comparator when none came before the number
  if (!comparator && post) comparator = ctx.tokens.slice(value.end, post.end).map((t) => t.low);
  const after = cueAfter(ctx, end, value.kind === "number" ? value.n.unit : undefined);
  // "an hour and a half", "5 hours 30 minutes": the rest of a compound amount, in stored units
  const tail = after?.factor !== undefined ? compoundTail(ctx, after) : undefined;
  if (tail && after) after.end = tail.end;
  let post2: ReturnType<typeof readPostfix>;
  if (after && !theOp) {
    post2 = readPostfix(ctx, after.end);
    if (post2) theOp = post2.op;
    if (post2 && !comparator) comparator = ctx.tokens.slice(after.end, post2.end).map((t) => t.low);
  }
  const before = cueBefore(ctx, start);
  narrowUnitCue(after, before);
  const prev = ctx.tokens[start - 1]?.low ?? "";
  if (value.kind === "number" && !isYearNumber(value.n)) {
    if (!theOp && (LIKE_WORDS.has(prev) || (!after && !value.n.currency && !before))) return -1;
    if (!theOp && !after && !before) return -1;
    const picked = pickNumberAttr(ctx, value, { after, before }, comparator);
    if (!picked) return -1;
    if (after?.attrs.includes(picked.attr)) end = Math.max(end, after.end, post2?.end ?? 0);
    const s = before?.attrs.includes(picked.attr) ? before.start : start;
    // "$2,000 a month" on an amount stored per year; the period words are the amount's own
    const rate = isMoney(picked.attr) ? readRate(ctx, end) : undefined;
    if (rate) end = rate.end;
    const factor = (after?.factor ?? picked.factor) * (rate ? rateFactor(picked.attr, rate.period) : 1);
    const n = converted(
      value.n.value * factor + (tail ? (tail.half ? 0.5 * factor : tail.add) : 0),
      factor,
      picked.attr,
    );
    // "older than 10" on an age is more years, where on a date it is an earlier one; "once a
    // fortnight or less" is how often, so less often is a longer interval
    const often = prev === "once" && isFree(ctx, start - 1);
    const op =
      (comparator?.includes("older") && nameWords(picked.attr.name).includes("age")) || often
        ? flip(theOp)
        : theOp;
    emit(ctx, picked.attr, rangeFilter(picked.attr.name, op ?? "eq", n), often ? s - 1 : s, end);
    return end;
  }
  if (value.kind === "number") {
    // a plain integer that could be a year
    const numericCue = [after, before].some((c) =>
      c?.attrs.some((a) => a.type === "number" && !ctx.schema.isYear(a)),
    );
    const timeCue = [after, before].some((c) =>
      c?.attrs.some((a) => a.type === "date" || ctx.schema.isYear(a)),
    );
    // "under 1800" with no time word: an amount when an attribute takes unnamed amounts
    // a date word in the comparator: "after 2020", "2020 or newer", "2019 and later" ("as" only
    // first: "as of 2020", not "as many as")
    const dateWord = !!comparator?.some((w, k) => DATE_ONLY.has(w) && (k === 0 || w !== "as"));
    const amountOnly = !!comparator && !dateWord && !timeCue && !before && !after;
    const amount = amountOnly ? pickNumberAttr(ctx, value, { after, before }, comparator) : undefined;
    if ((numericCue || amount) && !timeCue && !dateWord) {
      const picked = pickNumberAttr(ctx, value, { after, before }, comparator);
      if (!picked) return -1;
      if (after?.attrs.includes(picked.attr)) end = Math.max(end, after.end);
      emit(
        ctx,
        picked.attr,
        rangeFilter(
          picked.attr.name,
          theOp ?? "eq",
          converted(
            value.n.value * (after?.factor ?? picked.factor),
            after?.factor ?? picked.factor,
            picked.attr,
          ),
        ),
        before?.attrs.includes(picked.attr) ? before.start : start,
        end,
      );
      return end;
    }
    const bare = !theOp && !timeCue && !DATE_PREPOSITIONS.has(prev) && !continuesTimeList(ctx, start);
    if (bare && !bareYear(ctx, value.start)) return -1;
    if (LIKE_WORDS.has(prev)) return -1;
    const y = value.n.value;
    return build(
      ctx,
      {
        kind: "period",
        p: yearPeriod(y),
        start: value.start,
        end,
        cued: true,
        decade: false,
        subYear: false,
        bare,
      },
      theOp,
      start,
      comparator,
    );
  }
  if (value.kind === "duration") {
    // "older than 2 years", "less than 6 months old", "within 3 months", "more than 2 years ago"
    const tail = ctx.tokens[end]?.low;
    const t = addUnits(Math.floor(ctx.now.getTime() / 86_400_000) * 86_400_000, value.unit, -value.count);
    const word = comparator?.[0] ?? prev;
    let rop: RangeOp | undefined;
    if (tail === "old" || tail === "ago") {
      end++;
      if (theOp === "gt" || theOp === "gte") rop = "lt";
      else if (theOp === "lt" || theOp === "lte") rop = "gt";
    } else if (word === "older") rop = "lt";
    else if (word === "newer" || word === "within" || prev === "within") rop = "gte";
    // "not updated in over 2 years", "hasn't had a release in more than a year": the latest
    // event lies before the instant (the negation is part of the idiom, not of the filter)
    let silence = -1;
    if (!rop && (theOp === "gt" || theOp === "gte") && !after && prev === "in") {
      silence = negationBefore(ctx, start - 1);
      if (silence >= 0) rop = "lt";
    }
    if (!rop) return -1;
    const attr =
      (silence >= 0 ? latestTimeAttr(ctx) : undefined) ??
      pickTimeAttr(ctx, [before, after], false, rop === "lt" ? "upper" : "lower");
    if (!attr) return -1;
    const from = silence >= 0 ? silence : before?.attrs.includes(attr) ? before.start : start;
    emit(ctx, attr, timeFilter(ctx, attr, rop, t), from, end);
    return end;
  }
  const bound =
    value.kind === "since" || theOp === "gt" || theOp === "gte"
      ? "lower"
      : theOp === "lt" || theOp === "lte"
        ? "upper"
        : undefined;
  // "newer", "older": the age of the thing, dated like an era by when it came to be
  const ageWord = !!comparator?.some((w) => w === "newer" || w === "older");
  const attr =
    (!before && !after ? continuedTimeAttr(ctx, start) : undefined) ??
    pickTimeAttr(
      ctx,
      [before, after],
      value.kind === "period" && (value.decade || value.bare === true || ageWord),
      bound,
      isRecent(value, ctx.now),
      isUpcoming(value, ctx.now),
    );
  if (!attr) return -1;
  // "a film to watch tonight", "on a rainy sunday": the reader's own plans, not a past event's date
  const past = attr.type === "date" && (eventTense(attr) === "past" || datesOrigin(attr));
  if (value.kind === "period" && value.ahead && past) return -1;
  if (value.kind === "window") {
    // "in the next 7 days": from today through the last day named; on the first day of a state
    // that lasts ("available_from"), any day up to the last one: it has begun by then
    const filter = startsState(attr)
      ? timeFilter(ctx, attr, "lte", value.to)
      : andOf([timeFilter(ctx, attr, "gte", value.from), timeFilter(ctx, attr, "lte", value.to)]);
    emit(ctx, attr, filter, before?.attrs.includes(attr) ? before.start : start, end);
    return end;
  }
  if (value.kind === "since") {
    emit(
      ctx,
      attr,
      timeFilter(ctx, attr, "gte", value.t),
      before?.attrs.includes(attr) ? before.start : start,
      end,
    );
    return end;
  }
  if (
    !theOp &&
    !value.cued &&
    !DATE_PREPOSITIONS.has(prev) &&
    !before &&
    !after &&
    !continuesTimeList(ctx, start)
  )
    return -1;
  if (after?.attrs.includes(attr)) end = Math.max(end, after.end);
  if (value.ago !== undefined && theOp) {
    // "more than 6 months ago", "over a year ago": before that instant; "less than a week ago": since it
    const rop: RangeOp = theOp === "gt" || theOp === "gte" ? "lt" : "gte";
    emit(
      ctx,
      attr,
      timeFilter(ctx, attr, rop, value.ago),
      before?.attrs.includes(attr) ? before.start : start,
      end,
    );
    return end;
  }
  const period = alignYear(attr, value, ctx.now);
  const filter =
    attr.type === "date"
      ? periodOnDate(ctx, attr.name, theOp ?? "in", period)
      : periodOnYear(attr.name, theOp ?? "in", period);
  emit(ctx, attr, filter, before?.attrs.includes(attr) ? before.start : start, end);
  return end;
}

/** "between A and B", "from A to B", "A-B", "A to B". Returns the end token or -1. */
function tryRange(ctx: ParseContext, i: number): number {
  const t = ctx.tokens;
  let j = i;
  const lead = t[i]?.low;
  if (lead === "between" || lead === "from") j++;
  if (t[j]?.low === "the") j++;
  let a = readValue(ctx, j);
  if (!a && (lead === "between" || lead === "from") && RANGE_JOINERS.has(t[j + 1]?.low ?? "")) {
    // "between March and May 2026": the first month takes the year of the second
    const later = readValue(ctx, j + 2);
    a = later ? monthOfYear(ctx, j, later) : undefined;
  }
  if (!a) return -1;
  const joiner = t[a.end]?.low ?? "";
  if (!RANGE_JOINERS.has(joiner) || (joiner === "and" && lead !== "between")) return -1;
  if (lead !== "between" && lead !== "from" && joiner !== "-" && joiner !== "to" && joiner !== "–") return -1;
  let k = a.end + 1;
  if (t[k]?.low === "the") k++;
  const b = readValue(ctx, k);
  if (!b || b.kind !== a.kind || a.kind === "since" || a.kind === "duration" || a.kind === "window")
    return -1;
  if (a.kind === "period" && !a.cued && a.end === a.start + 1) a = monthOfYear(ctx, a.start, b) ?? a;
  const bothYears = a.kind === "number" && b.kind === "number" && isYearNumber(a.n) && isYearNumber(b.n);
  if (a.kind === "number" && b.kind === "number" && !bothYears) {
    let end = b.end;
    const after = cueAfter(ctx, end, b.n.unit);
    const before = cueBefore(ctx, i);
    narrowUnitCue(after, before);
    const cur = a.n.currency || b.n.currency;
    const aN = { ...a, n: { ...a.n, currency: cur } };
    const led = lead === "between" || lead === "from";
    const picked = pickNumberAttr(ctx, aN, { after, before }, led ? [lead] : undefined, [
      a.n.value,
      b.n.value,
    ]);
    if (!picked) return -1;
    if (!led && !after && !before && !cur) return -1;
    if (after?.attrs.includes(picked.attr)) end = after.end;
    const f = after?.factor ?? picked.factor;
    const [lo, hi] = [
      converted(a.n.value * f, f, picked.attr),
      converted(b.n.value * f, f, picked.attr),
    ].sort((x, y) => x - y);
    emit(
      ctx,
      picked.attr,
      andOf([rangeFilter(picked.attr.name, "gte", lo!), rangeFilter(picked.attr.name, "lte", hi!)]),
      before?.attrs.includes(picked.attr) ? before.start : i,
      end,
    );
    return end;
  }
  const pa = a.kind === "number" ? yearPeriod(a.n.value) : (a as Extract<Value, { kind: "period" }>).p;
  const pb =
    b.kind === "number"
      ? yearPeriod((b as Extract<Value, { kind: "number" }>).n.value)
      : (b as Extract<Value, { kind: "period" }>).p;
  const before = cueBefore(ctx, i);
  const attr = pickTimeAttr(ctx, [before]);
  if (!attr) return -1;
  if (
    lead !== "between" &&
    lead !== "from" &&
    !before &&
    !(a.kind === "period" && a.cued) &&
    !DATE_PREPOSITIONS.has(t[i - 1]?.low ?? "")
  )
    return -1;
  // "between February and April" on a deadline: the next such months
  const [qa, qb] = [a, b].map((x, k) => (x.kind === "period" ? alignYear(attr, x, ctx.now).p : k ? pb : pa));
  const lo = Math.min(qa!.start, qb!.start);
  const hi = Math.max(qa!.end, qb!.end);
  const filter =
    attr.type === "date"
      ? andOf([rangeFilter(attr.name, "gte", lo), rangeFilter(attr.name, "lt", hi)])
      : andOf([
          rangeFilter(attr.name, "gte", new Date(lo).getUTCFullYear()),
          rangeFilter(attr.name, "lte", new Date(hi - 1).getUTCFullYear()),
        ]);
  emit(ctx, attr, filter, before?.attrs.includes(attr) ? before.start : i, b.end);
  return b.end;
}

/** Finds numbers, comparatives, dates and ranges and records them as mentions. */
export function extractQuantities(ctx: ParseContext): void {
  const n = ctx.tokens.length;
  for (let i = 0; i < n; i++) {
    if (!isFree(ctx, i)) continue;
    const r = tryRange(ctx, i);
    if (r > i) {
      i = r - 1;
      continue;
    }
    const list = tryNumberList(
      ctx,
      i,
      (c, v, s) => build(c, v, undefined, s),
      (x, factor, field) =>
        converted(
          x * factor,
          factor,
          ctx.schema.attributes.find((a) => a.name === field),
        ),
    );
    if (list > i) {
      i = list - 1;
      continue;
    }
    let cmp = readPrefix(ctx, i);
    // "courses starting in May" on `start_date`: a comparative word that names a date attribute
    // ("starting", "start") is that attribute's word; "starting from" still compares
    if (cmp && cmp.words.length <= 2 && (cmp.words.length === 1 || cmp.words[1] === "in")) {
      const w = cmp.words[0]!;
      if (cueAttributes(ctx.index, w).some((a) => a.type === "date")) cmp = undefined;
    }
    if (cmp) {
      let j = cmp.end;
      let v = readValue(ctx, j);
      if (!v && ["the", "a", "an"].includes(ctx.tokens[j]?.low ?? "")) v = readValue(ctx, ++j);
      // "by" is a deadline only before a date ("by 1 July"), not before an amount ("by 20%")
      if (v && cmp.words.length === 1 && cmp.words[0] === "by" && (v.kind !== "period" || v.decade))
        v = undefined;
      if (v) {
        const end = build(ctx, v, cmp.op, i, cmp.words);
        if (end > i) {
          i = end - 1;
          continue;
        }
      }
      // "within the last year" etc. fall through to the bare reading below
    }
    if (ctx.tokens[i]?.low === "within") {
      // "within half an hour" on a duration attribute: at most that amount
      const w = readValue(ctx, i + 1);
      const end = w?.kind === "number" ? build(ctx, w, "lte", i, ["within"]) : -1;
      if (end > i) i = end - 1;
      continue;
    }
    const v = readValue(ctx, i);
    if (v) {
      const end = build(ctx, v, undefined, i);
      if (end > i) i = end - 1;
    }
  }
}
