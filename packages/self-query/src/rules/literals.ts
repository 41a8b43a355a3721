/** Comparisons between two literals ("1=1", "'1' = '1'", "2 > 1"): query text, never a filter. */
import { LITERAL, type ParseContext } from "./context.js";

const NUMBER = /^\d+(?:\.\d+)?$/;
const COMPARATORS = new Set(["=", "==", "!=", "<", ">", "<=", ">=", "≤", "≥", "≠", "!"]);
const QUOTES = new Set(['"', "'", "“", "”", "‘", "’", "`"]);

/**
 * Marks every comparison of two bare numbers (optionally quoted, with one or two comparator
 * tokens: `1=1`, `1 <> 2`, `'1'='1'`) as literal query text, so no later pass reads either number
 * as a value of an attribute: such a comparison names no attribute and is always true or false
 * (the shape of an injected SQL tautology). One pass over the tokens.
 */
export function protectLiteralComparisons(ctx: ParseContext): void {
  const t = ctx.tokens;
  const isNumber = (k: number) => k < t.length && NUMBER.test(t[k]!.low);
  const quote = (k: number) => (k >= 0 && k < t.length && QUOTES.has(t[k]!.text) ? 1 : 0);
  for (let i = 0; i < t.length; i++) {
    if (!isNumber(i)) continue;
    const first = i - quote(i - 1);
    let k = i + 1 + quote(i + 1);
    const cmp = k;
    while (k < t.length && k < cmp + 2 && COMPARATORS.has(t[k]!.low)) k++;
    if (k === cmp || (k === cmp + 1 && t[cmp]!.low === "!")) continue;
    k += quote(k);
    if (!isNumber(k)) continue;
    const last = k + quote(k + 1);
    for (let j = first; j <= last; j++) ctx.owner[j] = LITERAL;
    i = k - 1; // the right-hand number may start the next comparison ("1=1=1")
  }
}
