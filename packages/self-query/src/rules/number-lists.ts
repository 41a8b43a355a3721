/**
 * Lists of amounts before one unit or attribute word: "128 or 256GB", "27.5 and 29 inch wheels",
 * "2, 3 or 4 bedrooms" are one attribute's values, `in [128, 256]`, as a list of values on a
 * single-valued attribute is a disjunction even when written with "and".
 */
import type { Filter, FilterScalar } from "@ragloom/core";
import { isFree, type ParseContext } from "./context.js";
import { type NumberRead, readNumber } from "./numbers.js";
import type { Value } from "./value-readers.js";

const JOINERS = new Set([",", "or", "and", "/"]);

/** Reads the amount the quantity pass builds a filter for (`build` of the quantity pass). */
export type BuildAmount = (ctx: ParseContext, value: Value, start: number) => number;

function isYear(n: NumberRead): boolean {
  return n.plainInteger && !n.currency && !n.unit && n.value >= 1800 && n.value <= 2100;
}

/**
 * Reads a list of amounts from token `i`. The last amount is read as usual (its unit or cue picks
 * the attribute and the conversion); the others take the same attribute and factor. Returns the
 * token after the list, or -1 when there is no list of amounts here (years are left to dates).
 * @param convert converts an amount with the factor of the last one for the picked attribute
 */
export function tryNumberList(
  ctx: ParseContext,
  i: number,
  build: BuildAmount,
  convert: (x: number, factor: number, field: string) => FilterScalar,
): number {
  const t = ctx.tokens;
  const nums: Array<{ n: NumberRead; start: number }> = [];
  let j = i;
  for (;;) {
    if (!isFree(ctx, j)) return -1;
    const n = readNumber(t, j);
    if (!n) break;
    nums.push({ n, start: j });
    const sep = t[n.end]?.low ?? "";
    if (!JOINERS.has(sep) || !isFree(ctx, n.end)) break;
    let k = n.end + 1;
    if (sep === "," && (t[k]?.low === "or" || t[k]?.low === "and")) k++;
    if (!isFree(ctx, k) || !readNumber(t, k)) break;
    j = k;
  }
  if (nums.length < 2) return -1;
  const last = nums.at(-1)!;
  if (nums.some((x) => isYear(x.n))) return -1;
  if (nums.slice(0, -1).some((x) => x.n.unit && x.n.unit !== last.n.unit)) return -1;
  const before = ctx.mentions.length;
  const end = build(ctx, { kind: "number", n: last.n, start: last.start, end: last.n.end }, last.start);
  if (end < 0) return -1;
  const m = ctx.mentions[before];
  const f = m?.filter as { op?: string; field?: string; value?: unknown } | undefined;
  if (!m || ctx.mentions.length !== before + 1 || f?.op !== "eq" || typeof f.value !== "number") return end;
  if (last.n.value === 0) return end;
  const factor = f.value / last.n.value;
  const values = nums.map((x) => (x === last ? f.value : convert(x.n.value, factor, f.field!)));
  m.filter = { op: "in", field: f.field!, value: values as FilterScalar[] } as Filter;
  for (let k = i; k < m.start; k++) if (ctx.owner[k] === -1) ctx.owner[k] = before;
  m.start = i;
  return end;
}
