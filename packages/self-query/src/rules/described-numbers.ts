/**
 * Words a number attribute's description gives a value to: "list price (0 for free courses)"
 * makes "free" `price = 0`, "(1 for pilot episodes)" makes "pilot" `episode = 1`. The word is
 * the modifier right after "N for"/"N if" when a noun follows it (the noun is what the schema
 * lists, not the value); ordinals are left to the ordinal pass.
 */
import type { AttributeInfo } from "../schema.js";
import { addMention, isFree, type ParseContext } from "./context.js";
import { ordinalValue } from "./ordinals.js";
import { stem, tokenize } from "./tokenize.js";

const cache = new WeakMap<object, Map<string, { attr: AttributeInfo; value: number }>>();

function describedNumbers(ctx: ParseContext): Map<string, { attr: AttributeInfo; value: number }> {
  const hit = cache.get(ctx.schema);
  if (hit) return hit;
  const out = new Map<string, { attr: AttributeInfo; value: number }>();
  const shared = new Set<string>();
  for (const attr of ctx.schema.attributes) {
    if (attr.type !== "number") continue;
    const words = tokenize(attr.description.toLowerCase()).map((t) => t.low);
    words.forEach((w, k) => {
      if (!/^\d+(?:\.\d+)?$/.test(w) || (words[k + 1] !== "for" && words[k + 1] !== "if")) return;
      let j = k + 2;
      if (["a", "an", "the"].includes(words[j] ?? "")) j++;
      const word = words[j] ?? "";
      const noun = words[j + 1] ?? "";
      if (!/^\p{L}[\p{L}-]{2,}$/u.test(word) || !/^\p{L}{3,}$/u.test(noun)) return;
      if (ordinalValue(word) !== undefined) return;
      const key = stem(word);
      if (out.has(key) && out.get(key)!.attr !== attr) shared.add(key);
      out.set(key, { attr, value: Number(w) });
    });
  }
  // a word two attributes give a value to names neither
  for (const k of shared) out.delete(k);
  cache.set(ctx.schema, out);
  return out;
}

/** Finds the words number attributes' descriptions give values to. */
export function extractDescribedNumbers(ctx: ParseContext): void {
  const described = describedNumbers(ctx);
  if (described.size === 0) return;
  ctx.tokens.forEach((t, i) => {
    const hit = isFree(ctx, i) ? described.get(stem(t.low)) : undefined;
    if (!hit) return;
    addMention(ctx, {
      attr: hit.attr,
      start: i,
      end: i + 1,
      kind: "value",
      value: hit.value,
      negated: false,
    });
  });
}
