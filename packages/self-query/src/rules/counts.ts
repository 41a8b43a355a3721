/**
 * Zero counts: "nonstop", "non-stop", "no stops", "zero stops" are `stops = 0` for a number
 * attribute that counts stops (its name is the counted noun, or its description says
 * "number of <noun>"); "a stop" and "Michelin-starred" are at least one.
 */
import type { AttributeInfo } from "../schema.js";
import { countedUnits, describes, isMoney } from "./attribute-index.js";
import { addMention, isFree, type ParseContext } from "./context.js";
import { nameWords, singular, stem } from "./tokenize.js";

const cache = new WeakMap<object, Map<string, AttributeInfo>>();

/** Counted noun (stemmed) → the number attribute counting it, once per schema. */
function countedNouns(ctx: ParseContext): Map<string, AttributeInfo> {
  const hit = cache.get(ctx.schema);
  if (hit) return hit;
  const nouns = new Map<string, AttributeInfo>();
  const shared = new Set<string>();
  for (const a of ctx.schema.attributes) {
    if (a.type !== "number" || ctx.schema.isYear(a) || isMoney(a)) continue;
    const words = [
      ...nameWords(a.name).filter((w) => w.length > 3 && w.endsWith("s")),
      ...Object.keys(countedUnits(a)),
    ];
    for (const w of words) {
      const k = stem(w);
      // a noun two attributes count names neither
      if (nouns.has(k) && nouns.get(k) !== a) shared.add(k);
      nouns.set(k, a);
    }
  }
  for (const k of shared) nouns.delete(k);
  cache.set(ctx.schema, nouns);
  return nouns;
}

/**
 * The counted noun at token `k`, after at most two words of its attribute's description
 * ("Michelin stars" for `michelin_stars`, "number of Michelin stars"). Returns the attribute and
 * the end of the noun.
 */
function countedAt(
  ctx: ParseContext,
  nouns: Map<string, AttributeInfo>,
  k: number,
): { attr: AttributeInfo; end: number } | undefined {
  for (let j = k; j < k + 3 && isFree(ctx, j); j++) {
    const attr = nouns.get(stem(ctx.tokens[j]!.low));
    if (!attr) continue;
    const between = ctx.tokens.slice(k, j).map((t) => t.low);
    const own = new Set(nameWords(attr.name));
    if (between.every((w) => own.has(w) || describes(ctx.index, attr, w))) return { attr, end: j + 1 };
  }
  return undefined;
}

/**
 * "michelin-starred": a hyphenated adjective of an attribute's name words whose last word is
 * the counted noun turned participle (`star` → `starred`).
 */
function starredAt(
  ctx: ParseContext,
  nouns: Map<string, AttributeInfo>,
  i: number,
): AttributeInfo | undefined {
  const parts = ctx.tokens[i]!.low.split("-");
  const last = parts.at(-1)!;
  if (parts.length < 2 || !/^\p{L}{3,}ed$/u.test(last)) return undefined;
  const attr = nouns.get(stem(last));
  if (!attr) return undefined;
  const own = new Set(nameWords(attr.name));
  return parts.slice(0, -1).every((w) => own.has(w) || describes(ctx.index, attr, w)) ? attr : undefined;
}

/**
 * Finds zero counts of counted nouns ("no stops", "nonstop") and counts of at least one:
 * "a Michelin star" and "Michelin-starred" are `michelin_stars >= 1`, as having a thing is
 * having one or more of it.
 */
export function extractZeroCounts(ctx: ParseContext): void {
  const nouns = countedNouns(ctx);
  if (nouns.size === 0) return;
  const { tokens } = ctx;
  for (let i = 0; i < tokens.length; i++) {
    if (!isFree(ctx, i)) continue;
    const w = tokens[i]!.low;
    let hit: { attr: AttributeInfo; end: number } | undefined;
    let op: "eq" | "gte" = "eq";
    let value = 0;
    const glued = /^non-?(\p{L}{3,})$/u.exec(w);
    const starred = starredAt(ctx, nouns, i);
    if (glued) {
      const attr = nouns.get(stem(glued[1]!));
      if (attr) hit = { attr, end: i + 1 };
    } else if (starred) {
      hit = { attr: starred, end: i + 1 };
      [op, value] = ["gte", 1];
    } else if (w === "no" || w === "zero") hit = countedAt(ctx, nouns, i + 1);
    else if (w === "a" || w === "an") {
      // singular only: "a Michelin star", never "a few stars"
      hit = countedAt(ctx, nouns, i + 1);
      if (hit && singular(tokens[hit.end - 1]!.low) !== tokens[hit.end - 1]!.low) hit = undefined;
      [op, value] = ["gte", 1];
    }
    if (!hit) continue;
    const { attr, end } = hit;
    addMention(ctx, {
      attr,
      start: i,
      end,
      kind: "range",
      filter: { op, field: attr.name, value },
      negated: false,
    });
    i = end - 1;
  }
}
