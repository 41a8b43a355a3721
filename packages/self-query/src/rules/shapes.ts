/**
 * Free-text values recognised by the shape of the examples quoted in an attribute's description:
 * versions ("major.minor, e.g. '4.2'" reads `5.1` and `v3.0`) and model names made of words and
 * a number ("e.g. 'iPhone 15', 'Galaxy S24'" reads `iPhone 16 Pro`, `Galaxy Watch 6`).
 */
import type { AttributeInfo } from "../schema.js";
import { describedExamples, stemmedKey } from "./attribute-index.js";
import { addMention, isFree, type ParseContext } from "./context.js";

const VERSION = /^\d+(?:\.\d+)+$/;
const WORDISH = /^(?:\p{Lu}[\p{L}-]*|\p{Ll}+\p{Lu}[\p{L}]*)$/u;
const NUMBERISH = /^(?:\p{Lu}{0,3}\d+[\p{L}\d]*)$/u;

interface Shaped {
  attr: AttributeInfo;
  kind: "version" | "model";
  firstWords: Set<string>;
}

const shapedAttributesCache = new WeakMap<object, Shaped[]>();

function shapedAttributes(ctx: ParseContext): Shaped[] {
  const hit = shapedAttributesCache.get(ctx.schema);
  if (hit) return hit;
  const out: Shaped[] = [];
  for (const attr of ctx.schema.attributes) {
    if ((attr.type !== "string" && attr.type !== "string[]") || attr.values?.length) continue;
    const ex = describedExamples(attr);
    if (ex.length === 0) continue;
    if (ex.every((e) => VERSION.test(e))) {
      out.push({ attr, kind: "version", firstWords: new Set() });
      continue;
    }
    const models = ex.filter((e) => /\d/.test(e) && /\p{L}/u.test(e) && e.includes(" "));
    if (models.length * 2 >= ex.length && models.length > 0)
      out.push({
        attr,
        kind: "model",
        firstWords: new Set(ex.map((e) => e.split(" ")[0]!.toLowerCase())),
      });
  }
  shapedAttributesCache.set(ctx.schema, out);
  return out;
}

/** Whether tokens `i..end` spell an enumerated value of some attribute. */
function enumAt(ctx: ParseContext, i: number, end: number): boolean {
  const key = stemmedKey(ctx.tokens.slice(i, end).map((t) => t.low));
  return (ctx.index.byKey.get(key) ?? []).some((p) => (p.attr.values?.length ?? 0) > 0);
}

/** End of a model name at `i` (words, then a number, then at most two words), or -1. */
function modelEnd(ctx: ParseContext, i: number): number {
  const t = ctx.tokens;
  let k = i;
  let words = 0;
  while (k < t.length && k < i + 3 && isFree(ctx, k) && WORDISH.test(t[k]!.text) && !/\d/.test(t[k]!.text)) {
    words++;
    k++;
  }
  if (words === 0 || !isFree(ctx, k) || !NUMBERISH.test(t[k]?.text ?? "")) return -1;
  k++;
  for (let extra = 0; extra < 2 && isFree(ctx, k) && /^\p{Lu}\p{Ll}+$/u.test(t[k]?.text ?? ""); extra++) {
    if (enumAt(ctx, k, k + 1)) break;
    k++;
  }
  return k;
}

/** Finds version and model values by the shape of their described examples. */
export function extractShapedValues(ctx: ParseContext): void {
  const shaped = shapedAttributes(ctx);
  if (shaped.length === 0) return;
  const versions = shaped.filter((s) => s.kind === "version");
  const models = shaped.filter((s) => s.kind === "model");
  const { tokens } = ctx;
  for (let i = 0; i < tokens.length; i++) {
    if (!isFree(ctx, i)) continue;
    const text = tokens[i]!.text;
    if (versions.length === 1 && VERSION.test(text.replace(/^[vV](?=\d)/, ""))) {
      const value = text.replace(/^[vV]/, "");
      addMention(ctx, {
        attr: versions[0]!.attr,
        start: i,
        end: i + 1,
        kind: "value",
        value,
        negated: false,
      });
      continue;
    }
    if (models.length === 0) continue;
    let start = i;
    const end = modelEnd(ctx, i);
    if (end < 0) continue;
    const first = (s: number) => tokens[s]!.low;
    // a leading brand or other value is not part of the model when the rest is a known series
    if (enumAt(ctx, i, i + 1) && end - i > 2 && models.some((m) => m.firstWords.has(first(i + 1))))
      start = i + 1;
    let pick = models.filter((m) => m.firstWords.has(first(start)));
    if (pick.length !== 1 && models.length > 1) {
      // "iPad Air 5 cases", "cases for the Pixel 9": a model beside a product word is what the
      // product works with, the list attribute
      const beside =
        enumAt(ctx, end, end + 1) ||
        ["for", "fit", "fits", "with"].includes(tokens[start - 1]?.low ?? "") ||
        tokens[start - 1]?.low === "the";
      pick = beside ? models.filter((m) => m.attr.type === "string[]") : [];
    } else if (pick.length === 0) pick = models;
    if (pick.length !== 1) {
      i = end - 1;
      continue;
    }
    const value = tokens
      .slice(start, end)
      .map((t) => t.text)
      .join(" ");
    addMention(ctx, { attr: pick[0]!.attr, start, end, kind: "value", value, negated: false });
    i = end - 1;
  }
}
