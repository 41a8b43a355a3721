/**
 * Positions in a series written beside the series' name: "Toy Story 2" and "the third Mission:
 * Impossible" set `franchise_entry` next to `franchise`, "documenta 16" and "the 61st Venice
 * Biennale" set `edition` next to `title`. Only for a number attribute that numbers the members
 * of a named series: a word of position ("entry", "edition", "volume", "episode", …) in its name
 * or description, and the series attribute named there (`franchise_entry`: "position of the film
 * in its franchise") or described with the same words ("edition number of a recurring show" and
 * "name of the recurring show").
 */
import type { AttributeInfo } from "../schema.js";
import { addMention, isFree, type ParseContext } from "./context.js";
import { ordinalValue } from "./ordinals.js";
import { nameWords } from "./tokenize.js";

/** Words naming a member's place in a series. */
const POSITION =
  /\b(?:position|entry|edition|instal?lment|volume|vol|part|episode|issue|season|chapter|sequel|order)\b/;

/** Content words of a text (three letters or more, no function words). */
function contentWords(text: string): Set<string> {
  const skip = new Set(["the", "and", "for", "with", "from", "its", "their", "this", "that", "which"]);
  return new Set(
    text
      .toLowerCase()
      .split(/[^\p{L}]+/u)
      .filter((w) => w.length >= 3 && !skip.has(w)),
  );
}

/** Two consecutive content words of `a` that also follow each other in `b` ("recurring show"). */
function sharesPhrase(a: string, b: string): boolean {
  const words = (t: string) =>
    t
      .toLowerCase()
      .split(/[^\p{L}]+/u)
      .filter((w) => w.length >= 3);
  const wa = words(a);
  const pairs = new Set(wa.slice(1).map((w, i) => `${wa[i]} ${w}`));
  const wb = words(b);
  return wb.slice(1).some((w, i) => pairs.has(`${wb[i]} ${w}`));
}

const seriesCache = new WeakMap<object, Map<AttributeInfo, AttributeInfo>>();

/** Series attribute → the one number attribute holding positions in it. */
function positionsOf(ctx: ParseContext): Map<AttributeInfo, AttributeInfo> {
  const cached = seriesCache.get(ctx.schema);
  if (cached) return cached;
  const out = new Map<AttributeInfo, AttributeInfo>();
  const numbers = ctx.schema.attributes.filter(
    (a) =>
      a.type === "number" &&
      !ctx.schema.isYear(a) &&
      POSITION.test(`${nameWords(a.name).join(" ")} ${a.description.toLowerCase()}`),
  );
  const series = ctx.schema.attributes.filter((a) => a.type === "string" && !a.values?.length);
  for (const s of series) {
    const linked = numbers.filter((p) => {
      const own = contentWords(`${nameWords(p.name).join(" ")} ${p.description}`);
      return nameWords(s.name).every((w) => own.has(w)) || sharesPhrase(p.description, s.description);
    });
    if (linked.length === 1) out.set(s, linked[0]!);
  }
  seriesCache.set(ctx.schema, out);
  return out;
}

function fits(attr: AttributeInfo, n: number): boolean {
  return Number.isInteger(n) && n >= (attr.minimum ?? 1) && n <= (attr.maximum ?? 9999);
}

/** Reads a plain number right after, or an ordinal right before, a series value. */
export function extractSeriesPositions(ctx: ParseContext): void {
  const positions = positionsOf(ctx);
  if (positions.size === 0) return;
  const { tokens } = ctx;
  for (const m of [...ctx.mentions]) {
    const attr = m.kind === "value" ? positions.get(m.attr) : undefined;
    if (!attr || m.negated) continue;
    const next = tokens[m.end];
    if (next && isFree(ctx, m.end) && /^\d{1,4}$/.test(next.low) && next.start > tokens[m.end - 1]!.end) {
      const n = Number(next.low);
      if (fits(attr, n)) {
        const filter = { op: "eq", field: attr.name, value: n } as const;
        addMention(ctx, { attr, start: m.end, end: m.end + 1, kind: "range", filter, negated: false });
        continue;
      }
    }
    const before = tokens[m.start - 1];
    const n = before && isFree(ctx, m.start - 1) ? ordinalValue(before.low) : undefined;
    if (n !== undefined && fits(attr, n)) {
      const filter = { op: "eq", field: attr.name, value: n } as const;
      addMention(ctx, { attr, start: m.start - 1, end: m.start, kind: "range", filter, negated: false });
    }
  }
}
