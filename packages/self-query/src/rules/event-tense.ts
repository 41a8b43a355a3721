/**
 * Whether a date attribute records past events (`listed_on`, "date of the most recent restock")
 * or future ones (`deadline`, "next departure"), from the words of its name and description; a
 * day or month written without a year is read as the most recent such day or month on the first
 * and the next one on the second ("listed since March", "deadlines in February").
 */
import type { Period } from "../dates.js";
import type { AttributeInfo } from "../schema.js";
import type { Value } from "./value-readers.js";

const FUTURE = new Set([
  "next",
  "upcoming",
  "deadline",
  "due",
  "expires",
  "expiry",
  "expiration",
  "closes",
  "closing",
  "starts",
  "begins",
  "departs",
  "departure",
  "leaving",
  "scheduled",
  "planned",
  "ends",
  "arrival",
  "arrives",
  "future",
  "renewal",
]);
const PAST = new Set([
  "added",
  "listed",
  "posted",
  "created",
  "published",
  "released",
  "restocked",
  "updated",
  "last",
  "recent",
  "joined",
  "founded",
  "reported",
  "submitted",
  "sold",
  "purchased",
  "received",
  "registered",
  "uploaded",
  "modified",
  "completed",
  "previous",
  "ago",
]);

const cache = new WeakMap<AttributeInfo, "past" | "future" | undefined>();

/** `past`, `future`, or undefined when the words say neither or both. */
export function eventTense(attr: AttributeInfo): "past" | "future" | undefined {
  if (cache.has(attr)) return cache.get(attr);
  const words = `${attr.name} ${attr.description}`.toLowerCase().split(/[^\p{L}]+/u);
  const future = words.some((w) => FUTURE.has(w));
  const past = words.some((w) => PAST.has(w));
  const tense = future === past ? undefined : future ? "future" : "past";
  cache.set(attr, tense);
  return tense;
}

function shiftYears(t: number, years: number): number {
  const d = new Date(t);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.getTime();
}

/**
 * A period whose year the request did not give (`cued` false), moved a year back when it starts
 * after today on a past-event attribute, or a year on when it ended before today on a
 * future-event one; any other value unchanged.
 */
export function alignYear<V extends Value>(attr: AttributeInfo, v: V, now: Date): V {
  if (v.kind !== "period" || v.cued || v.decade || !v.subYear) return v;
  const tense = attr.type === "date" ? eventTense(attr) : undefined;
  const today = Math.floor(now.getTime() / 86_400_000) * 86_400_000;
  let years = 0;
  if (tense === "past" && v.p.start > today) years = -1;
  else if (tense === "future" && v.p.end <= today) years = 1;
  if (years === 0) return v;
  const p: Period = { ...v.p, start: shiftYears(v.p.start, years), end: shiftYears(v.p.end, years) };
  return { ...v, p };
}
