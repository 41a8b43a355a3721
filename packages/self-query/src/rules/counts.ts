/**
 * Zero counts: "nonstop", "non-stop", "no stops", "zero stops" are `stops = 0` for a number
 * attribute that counts stops (its name is the counted noun, or its description says
 * "number of <noun>").
 */
import type { AttributeInfo } from "../schema.js";
import { countedUnits, isMoney } from "./attribute-index.js";
import { addMention, isFree, type ParseContext } from "./context.js";
import { nameWords, stem } from "./tokenize.js";

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

/** Finds zero counts of counted nouns. */
export function extractZeroCounts(ctx: ParseContext): void {
  const nouns = countedNouns(ctx);
  if (nouns.size === 0) return;
  const { tokens } = ctx;
  for (let i = 0; i < tokens.length; i++) {
    if (!isFree(ctx, i)) continue;
    const w = tokens[i]!.low;
    let end = -1;
    let noun: string | undefined;
    const glued = /^non-?(\p{L}{3,})$/u.exec(w);
    if (glued) {
      noun = glued[1];
      end = i + 1;
    } else if ((w === "no" || w === "zero") && isFree(ctx, i + 1)) {
      noun = tokens[i + 1]?.low;
      end = i + 2;
    }
    const attr = noun ? nouns.get(stem(noun)) : undefined;
    if (!attr) continue;
    addMention(ctx, {
      attr,
      start: i,
      end,
      kind: "range",
      filter: { op: "eq", field: attr.name, value: 0 },
      negated: false,
    });
    i = end - 1;
  }
}
