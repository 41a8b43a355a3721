/**
 * Enumerated values in a declared order, compared: "VG+ or better", "at least good condition",
 * "better than fair". The order is the one the values are listed in, and its direction is what
 * the attribute's description says of it ("best first", "worst first", "lowest first", "in
 * ascending order"); an attribute whose description says nothing of its order is never compared.
 */
import type { FilterScalar } from "@ragloom/core";
import { type AttributeInfo, enumValues } from "../schema.js";
import { cueAttributes } from "./attribute-index.js";
import { isFree, type ParseContext } from "./context.js";

/** Whether the listed values run from the best (highest) down, or from the worst (lowest) up. */
type Direction = "best-first" | "worst-first";

const BEST_FIRST = /\b(?:best|highest|top|most\s+\w+)\s+first\b|\bdescending\b|\bfrom\s+(?:best|highest)\b/;
const WORST_FIRST = /\b(?:worst|lowest|least\s+\w+)\s+first\b|\bascending\b|\bfrom\s+(?:worst|lowest)\b/;

function direction(attr: AttributeInfo): Direction | undefined {
  const d = attr.description.toLowerCase();
  if (BEST_FIRST.test(d)) return "best-first";
  if (WORST_FIRST.test(d)) return "worst-first";
  return undefined;
}

/** Words after a value: it or better ("or better", "and up"), or it or worse. */
const POSTFIX: Array<[string[], "up" | "down"]> = [
  [["or", "better"], "up"],
  [["or", "higher"], "up"],
  [["or", "above"], "up"],
  [["and", "up"], "up"],
  [["and", "above"], "up"],
  [["and", "better"], "up"],
  [["or", "worse"], "down"],
  [["or", "lower"], "down"],
  [["or", "below"], "down"],
  [["and", "below"], "down"],
];
/** Words before a value: at least it, better than it, at most it, worse than it. */
const PREFIX: Array<[string[], "up" | "down", boolean]> = [
  [["at", "least"], "up", true],
  [["no", "worse", "than"], "up", true],
  [["better", "than"], "up", false],
  [["higher", "than"], "up", false],
  [["at", "most"], "down", true],
  [["no", "better", "than"], "down", true],
  [["worse", "than"], "down", false],
  [["lower", "than"], "down", false],
];

function wordsAt(ctx: ParseContext, i: number, words: string[]): boolean {
  return words.every((w, k) => ctx.tokens[i + k]?.low === w && isFree(ctx, i + k));
}

/**
 * Turns each enumerated value of an ordered attribute that a comparison word follows or precedes
 * into the values on that side of it: `in` of the value and those better (or worse) than it,
 * without the value itself for a strict comparison ("better than fair").
 */
export function compareOrderedValues(ctx: ParseContext): void {
  ctx.mentions.forEach((m, id) => {
    if (m.kind !== "value" || m.negated || typeof m.value !== "string") return;
    if (m.attr.type !== "string" || !m.attr.values?.length) return;
    const dir = direction(m.attr);
    if (!dir) return;
    const values = enumValues(m.attr).map((e) => e.value as FilterScalar);
    const at = values.indexOf(m.value);
    if (at < 0) return;
    let side: "up" | "down" | undefined;
    let inclusive = true;
    let start = m.start;
    let end = m.end;
    // the attribute's own word may sit between: "good condition or better"
    let j = m.end;
    while (isFree(ctx, j) && cueAttributes(ctx.index, ctx.tokens[j]?.low ?? "").includes(m.attr)) j++;
    const post = POSTFIX.find(([w]) => wordsAt(ctx, j, w));
    if (post) {
      side = post[1];
      end = j + post[0].length;
    } else {
      const pre = PREFIX.find(([w]) => m.start - w.length >= 0 && wordsAt(ctx, m.start - w.length, w));
      if (pre) {
        [, side, inclusive] = pre;
        start = m.start - pre[0].length;
      }
    }
    if (!side) return;
    // "up" means toward the best: the start of a best-first list, the end of a worst-first one
    const towardStart = (side === "up") === (dir === "best-first");
    const from = towardStart ? 0 : inclusive ? at : at + 1;
    const to = towardStart ? (inclusive ? at + 1 : at) : values.length;
    const picked = values.slice(from, to);
    if (picked.length === 0) return;
    ctx.mentions[id] = {
      ...m,
      start,
      end,
      kind: "range",
      filter:
        picked.length === 1
          ? { op: "eq", field: m.attr.name, value: picked[0]! }
          : { op: "in", field: m.attr.name, value: picked },
    };
    for (let k = start; k < end; k++) if (ctx.owner[k] === -1) ctx.owner[k] = id;
  });
}
