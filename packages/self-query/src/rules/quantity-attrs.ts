/** Which attribute a number or a time expression of the quantity pass is about. */
import { type AttributeInfo, numberRange } from "../schema.js";
import { cueStem, isMoney } from "./attribute-index.js";
import { DIMENSION_OF } from "./comparatives.js";
import type { ParseContext } from "./context.js";
import { attributeCurrency } from "./currency.js";
import { eventTense } from "./event-tense.js";
import { itemNoun } from "./item-nouns.js";
import { EDGE_FILLER } from "./lexicon.js";
import { type Cue, POSTFIX } from "./quantity-cues.js";
import { nameWords, singular } from "./tokenize.js";
import type { Value } from "./value-readers.js";

export function dateAttributes(ctx: ParseContext): AttributeInfo[] {
  return ctx.schema.attributes.filter((a) => a.type === "date" || ctx.schema.isYear(a));
}

/** Words of an attribute's name or description that mark the latest or the earliest of several events. */
const LATEST = new Set(["last", "latest", "recent", "newest", "current"]);
const EARLIEST = new Set(["first", "earliest", "initial", "original", "oldest"]);
/** Words of an attribute's name or description that date the origin of a thing. */
const ORIGIN = new Set([
  "release",
  "released",
  "original",
  "originally",
  "launched",
  "launch",
  "published",
  "publication",
  "built",
  "made",
  "founded",
  "created",
  "recorded",
  "produced",
  "manufactured",
]);

/** Whether an attribute dates the origin of a thing (its name or description says released, built, …). */
export function datesOrigin(attr: AttributeInfo): boolean {
  return marks(attr, ORIGIN);
}

function marks(attr: AttributeInfo, words: ReadonlySet<string>): boolean {
  const own = [...nameWords(attr.name), ...attr.description.toLowerCase().split(/[^\p{L}]+/u)];
  return own.some((w) => words.has(w));
}

/** The one date attribute whose name or description marks the latest of several events ("last_updated"), if any. */
export function latestTimeAttr(ctx: ParseContext): AttributeInfo | undefined {
  const dates = dateAttributes(ctx).filter((a) => a.type === "date");
  if (dates.length === 1) return dates[0];
  const marked = dates.filter((a) => marks(a, LATEST));
  return marked.length === 1 ? marked[0] : undefined;
}

/**
 * Which of several date attributes one cue names ("release" for `first_release` and
 * `last_release`): the one a word right before the cue marks ("last release", "first
 * release"); otherwise, for a bound, the one that decides whether some event lies past it: an
 * event since a date exists when the latest one is on or after it, one before a date when the
 * earliest one is before it.
 */
function pickAmong(
  ctx: ParseContext,
  attrs: AttributeInfo[],
  cue: Cue,
  bound: "lower" | "upper" | undefined,
): AttributeInfo {
  if (attrs.length === 1) return attrs[0]!;
  const prev = ctx.tokens[cue.start - 1]?.low ?? "";
  const named = attrs.filter((a) => nameWords(a.name).includes(prev));
  if (named.length === 1) return named[0]!;
  const group = LATEST.has(prev)
    ? LATEST
    : EARLIEST.has(prev)
      ? EARLIEST
      : bound === "lower"
        ? LATEST
        : bound === "upper"
          ? EARLIEST
          : undefined;
  const marked = group ? attrs.filter((a) => marks(a, group)) : [];
  return marked.length === 1 ? marked[0]! : attrs[0]!;
}

/**
 * The date or year attribute a time expression is about: the one a cue names (see
 * {@link pickAmong} when it names several), else a date attribute; a decade ("the 1960s")
 * without a cue goes to the one attribute that dates the origin of a thing (its name or
 * description says released, launched, built, ...), else to the one year attribute, as decades
 * name eras more than event dates; a recent past window (`recent`: "last week", "in the past 10
 * days") goes to the one date of what happens to a record, neither an origin nor a future event,
 * and a coming one (`upcoming`: "next month", "in the next 7 days") to the one date of a future event.
 * `bound` is the side a comparison bounds, if any.
 */
export function pickTimeAttr(
  ctx: ParseContext,
  cues: Array<Cue | undefined>,
  decade = false,
  bound?: "lower" | "upper",
  recent = false,
  upcoming = false,
): AttributeInfo | undefined {
  for (const c of cues) {
    const as = c?.attrs.filter((x) => x.type === "date" || ctx.schema.isYear(x)) ?? [];
    if (c && as.length) return pickAmong(ctx, as, c, bound);
  }
  const all = dateAttributes(ctx);
  if (recent) {
    // the last days or weeks date what just happened to a record (added, listed, updated), not
    // when the thing came to be nor what is still to come
    const events = all.filter((a) => a.type === "date" && !marks(a, ORIGIN) && eventTense(a) !== "future");
    if (events.length === 1 && all.length > 1) return events[0];
  }
  if (upcoming) {
    // the coming days or weeks date what is still to come (closes, leaving, deadline)
    const ahead = all.filter((a) => a.type === "date" && eventTense(a) === "future");
    if (ahead.length === 1 && all.length > 1) return ahead[0];
  }
  if (decade) {
    // an era names when a thing came to be: the one attribute whose name or description says so
    // ("original release date", "year the model was launched"), else the one year attribute
    const origin = all.filter((a) => marks(a, ORIGIN));
    if (origin.length === 1) return origin[0];
    const years = all.filter((a) => a.type !== "date");
    if (years.length === 1) return years[0];
  }
  const described = describedTimeAttr(ctx, all);
  if (described) return described;
  return all.find((a) => a.type === "date") ?? all[0];
}

/** Description words too common to tell date attributes apart. */
const GENERIC = new Set(
  (
    "date dates day days time year years when then than this that these those with from into onto " +
    "over under what which while where there their they them been have were will would could should " +
    "about after before since until also only just very most more some such each every other being"
  ).split(" "),
);

/**
 * The one date attribute whose description holds a word of the request that no other date
 * attribute's does ("joined" for `member_since`, "date the freelancer joined the marketplace").
 */
function describedTimeAttr(ctx: ParseContext, attrs: AttributeInfo[]): AttributeInfo | undefined {
  if (attrs.length < 2) return undefined;
  const noun = itemNoun(ctx.schema.schema);
  const hits = new Set<AttributeInfo>();
  for (const t of ctx.tokens) {
    if (t.low.length < 4 || GENERIC.has(t.low) || !/^\p{L}+$/u.test(t.low)) continue;
    const s = cueStem(t.low);
    // a word that names an attribute ("bike" of `bike_type`) or the records says nothing of when
    if (ctx.index.cues.has(s) || ctx.index.cues.has(t.low) || singular(t.low) === noun) continue;
    const owners = attrs.filter((a) => ctx.index.described.get(a.name)?.has(s));
    if (owners.length === 1) hits.add(owners[0]!);
  }
  return hits.size === 1 ? [...hits][0] : undefined;
}

function inRange(attr: AttributeInfo, values: number[]): boolean {
  const [min, max] = numberRange(attr);
  return values.every((x) => Number.isFinite(x) && x >= min && x <= max);
}

/**
 * The number attribute a number (or the two ends of a range, `values`) is about. A cue naming a
 * number attribute decides; a value outside that attribute's range (see `numberRange`; a year
 * attribute's default is 0–9999) stays query text and is never handed to another attribute.
 * Without a cue, the defaults (money, the only number attribute) apply only within range.
 */
export function pickNumberAttr(
  ctx: ParseContext,
  v: Extract<Value, { kind: "number" }>,
  cues: { after?: Cue | undefined; before?: Cue | undefined },
  comparator: string[] | undefined,
  values: number[] = [v.n.value],
): { attr: AttributeInfo; factor: number } | undefined {
  const numeric = (a: AttributeInfo) => a.type === "number" && !ctx.schema.isYear(a);
  const fit = (attr: AttributeInfo, factor: number) =>
    inRange(
      attr,
      values.map((x) => x * factor),
    )
      ? { attr, factor }
      : undefined;
  // "season 2 episodes": a singular attribute word right before the number labels it, and
  // beats a plural noun after it
  const label = cues.before?.end === v.start && cues.before.end - cues.before.start === 1;
  const labelWord = label ? ctx.tokens[v.start - 1]!.low : "";
  const first = label && !comparator && singular(labelWord) === labelWord && cues.before?.attrs.some(numeric);
  for (const c of first ? [cues.before, cues.after] : [cues.after, cues.before]) {
    const a = c?.attrs.find(numeric);
    if (a) return fit(a, c?.factor ?? 1);
    // "released after 12345": a number meant for a year attribute that it does not fit
    if (c?.attrs.some((y) => ctx.schema.isYear(y) && !inRange(y, values))) return undefined;
  }
  const numbers = ctx.schema.attributes.filter(numeric);
  if (v.n.currency) return moneyAttr(numbers, v.n.currencyCode, fit);
  if (!comparator) return undefined;
  const word = comparator[0];
  // "lighter than 8": the one number attribute whose name holds the dimension of the adjective
  const dimension = DIMENSION_OF[word ?? ""];
  if (dimension) {
    const measured = numbers.filter((a) => nameWords(a.name).some((w) => dimension.includes(w)));
    return measured.length === 1 ? fit(measured[0]!, 1) : undefined;
  }
  if (word === "cheaper" || comparator.includes("expensive")) {
    const money = numbers.find(isMoney);
    return money ? fit(money, 1) : undefined;
  }
  if (numbers.length !== 1) {
    // with several number attributes and no cue, a price is the usual unnamed quantity ("under 500")
    const money = numbers.filter(isMoney);
    return money.length === 1 && v.n.value >= 10 ? fit(money[0]!, 1) : undefined;
  }
  // "under 50" may default to the only number attribute; "at least 4 stars" (an unknown unit) may not
  const next = ctx.tokens[v.end];
  if (
    next &&
    !EDGE_FILLER.has(next.low) &&
    !/^[^\p{L}\p{N}]+$/u.test(next.low) &&
    !POSTFIX.some(([w]) => w[0] === next.low)
  ) {
    return undefined;
  }
  return fit(numbers[0]!, 1);
}

/**
 * The money attribute an amount written in a currency is for: one holding that currency (its
 * name or description says so: "price_usd", "in GBP") when there is one, else any money
 * attribute; the first whose range the amount fits ("£40" is no `price_level` from 1 to 4).
 */
function moneyAttr(
  numbers: AttributeInfo[],
  code: string | undefined,
  fit: (a: AttributeInfo, factor: number) => { attr: AttributeInfo; factor: number } | undefined,
): { attr: AttributeInfo; factor: number } | undefined {
  const money = numbers.filter(isMoney);
  const same = code ? money.filter((a) => attributeCurrency(a) === code) : [];
  for (const a of same.length ? same : money) {
    const hit = fit(a, 1);
    if (hit) return hit;
  }
  return undefined;
}

/** A date on which a lasting state begins: a name ending in "from" ("available_from") or a "first day …" description. */
export function startsState(attr: AttributeInfo): boolean {
  return /_from$/.test(attr.name) || /^first (?:day|date)\b/.test(attr.description.toLowerCase());
}
