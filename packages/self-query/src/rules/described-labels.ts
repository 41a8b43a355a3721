/**
 * Numbers labelled as a description's own example shows: `generation` described "generation of
 * the model (e.g. 4 for a Domane Gen 4)" takes "gen 4"; `os_major` described "17 for iOS 17.5.1,
 * 14 for Android 14" takes "android 14 or newer" (gte 14) and "ios 16"; `mark` described "4 for
 * an EOS 5D Mark IV" takes "mark iv" (Roman numerals after a label). Only the number (and a
 * comparative after it) is consumed: the label stays free for the attribute it names itself
 * ("android" is also an `os`).
 */
import type { AttributeInfo } from "../schema.js";
import { addMention, isFree, type ParseContext } from "./context.js";
import { readPostfix } from "./quantity-cues.js";

const ROMAN = /^(x{0,3})(ix|iv|v?i{0,3})$/i;

/** The value of a Roman numeral from 1 to 39 ("iv" → 4), else undefined. */
export function romanValue(word: string): number | undefined {
  const m = ROMAN.exec(word);
  if (!m || word.length === 0) return undefined;
  const tens = m[1]!.length * 10;
  const unit = m[2]!.toLowerCase();
  const units: Record<string, number> = { ix: 9, iv: 4 };
  const u = units[unit] ?? (unit.startsWith("v") ? 5 + unit.length - 1 : unit.length);
  const n = tens + u;
  return n > 0 ? n : undefined;
}

/** A number as the example writes it: digits, a version whose major it is, or a Roman numeral. */
function numberOf(word: string): number | undefined {
  const digits = /^v?(\d+)(?:\.\d+)*$/i.exec(word);
  if (digits) return Number(digits[1]);
  return romanValue(word);
}

const cache = new WeakMap<object, Map<string, AttributeInfo>>();

/** Label word (lower case) → the number attribute its description labels with it. */
function labels(ctx: ParseContext): Map<string, AttributeInfo> {
  const hit = cache.get(ctx.schema);
  if (hit) return hit;
  const found = new Map<string, AttributeInfo[]>();
  for (const attr of ctx.schema.attributes) {
    if (attr.type !== "number" || ctx.schema.isYear(attr)) continue;
    for (const m of attr.description.matchAll(/\b(\d+) for (?:an? |the )?([^,;)]+)/g)) {
      const n = Number(m[1]);
      const words = m[2]!.trim().split(/\s+/);
      const at = words.findIndex((w, k) => k > 0 && numberOf(w) === n);
      if (at < 1) continue;
      const label = words[at - 1]!.toLowerCase();
      if (!/^\p{L}[\p{L}\p{N}-]*$/u.test(label)) continue;
      found.set(label, [...new Set([...(found.get(label) ?? []), attr])]);
    }
  }
  const out = new Map<string, AttributeInfo>();
  for (const [label, attrs] of found) if (attrs.length === 1) out.set(label, attrs[0]!);
  cache.set(ctx.schema, out);
  return out;
}

/** Finds numbers after a label word of a description's example. */
export function extractDescribedLabels(ctx: ParseContext): void {
  const byLabel = labels(ctx);
  if (byLabel.size === 0) return;
  const t = ctx.tokens;
  for (let i = 0; i + 1 < t.length; i++) {
    const attr = byLabel.get(t[i]!.low);
    if (!attr || !isFree(ctx, i + 1)) continue;
    const word = t[i + 1]!.low;
    // Roman numerals only right after a label ("mark iv"); digits or a dotted version otherwise
    const n = /^\d+$/.test(word) ? Number(word) : romanValue(word);
    if (n === undefined) continue;
    const post = readPostfix(ctx, i + 2);
    const end = post?.end ?? i + 2;
    const filter = { op: post?.op ?? "eq", field: attr.name, value: n };
    addMention(ctx, { attr, start: i + 1, end, kind: "range", filter, negated: false });
    i = end - 1;
  }
}
