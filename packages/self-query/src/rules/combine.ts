import type { Filter, FilterScalar } from "@ragloom/core";
import { FILLER, type Mention, negationBefore, type ParseContext } from "./context.js";
import { OR_WORDS, POSTFIX_NEGATIONS } from "./lexicon.js";

const LIST_GAP = new Set([
  "or",
  "and",
  "nor",
  ",",
  "/",
  "&",
  "the",
  "a",
  "an",
  "either",
  "neither",
  "also",
  "plus",
  ";",
]);
const CONNECTORS = new Set([
  "and",
  "or",
  "nor",
  ",",
  "/",
  "&",
  "but",
  "plus",
  "also",
  ";",
  "either",
  "as",
  "well",
  "while",
  "yet",
]);

function gap(ctx: ParseContext, from: number, to: number) {
  return ctx.tokens.slice(from, to).map((t, k) => ({ low: t.low, i: from + k }));
}

/** Marks negated mentions ("not the changelogs", "excluding vue", "non-fiction", "changelogs excluded"). */
export function applyNegation(ctx: ParseContext): void {
  const ms = ctx.mentions;
  ms.sort((a, b) => a.start - b.start);
  for (const m of ms) {
    if (m.negated) continue;
    const s = negationBefore(ctx, m.start);
    if (s >= 0) {
      m.negated = true;
      for (let i = s; i < m.start; i++) ctx.owner[i] = FILLER;
      m.start = s;
      continue;
    }
    const next = ctx.tokens[m.end];
    if (next && POSTFIX_NEGATIONS.has(next.low) && ctx.owner[m.end] === -1) {
      m.negated = true;
      ctx.owner[m.end] = FILLER;
      m.end++;
    }
  }
  for (let k = 1; k < ms.length; k++) {
    const [a, b] = [ms[k - 1]!, ms[k]!];
    if (!b.negated && a.negated && a.attr === b.attr && a.kind === "value" && b.kind === "value") {
      if (gap(ctx, a.end, b.start).every((g) => LIST_GAP.has(g.low))) b.negated = true;
    }
  }
  // "anything but horror, I scare easily": a value both excluded and asked for is excluded (the
  // explicit negation wins over a reading of another word); the other word stays query text
  for (let k = ms.length - 1; k >= 0; k--) {
    const m = ms[k]!;
    if (m.negated || m.kind !== "value") continue;
    const excluded = ms.some(
      (o) => o.negated && o.kind === "value" && o.attr === m.attr && o.value === m.value,
    );
    if (!excluded) continue;
    ctx.warnings.push(
      `${m.attr.name} = ${String(m.value)} is both excluded and asked for: kept the exclusion`,
    );
    for (let i = m.start; i < m.end; i++) ctx.owner[i] = -1;
    ms.splice(k, 1);
  }
}

interface Group {
  attr: Mention["attr"];
  items: Mention[];
  joins: Array<"and" | "or">;
}

function leafOf(m: Mention): Filter {
  if (m.kind === "range") return m.negated ? { op: "not", filter: m.filter! } : m.filter!;
  const field = m.attr.name;
  const value = m.value as FilterScalar;
  if (m.attr.type === "string[]") {
    const f: Filter = { op: "contains", field, value };
    return m.negated ? { op: "not", filter: f } : f;
  }
  // a negated yes/no value is the other value ("not escalated" is escalated = false)
  if (typeof value === "boolean") return { op: "eq", field, value: m.negated ? !value : value };
  return { op: m.negated ? "ne" : "eq", field, value };
}

function groupFilter(g: Group): Filter {
  if (g.items.length === 1) return leafOf(g.items[0]!);
  const first = g.items[0]!;
  if (first.kind === "range") return mergedRanges(g.items) ?? { op: "or", filters: g.items.map(leafOf) };
  if (first.attr.type === "string[]") {
    const leaves = g.items.map(leafOf);
    const or = !first.negated && g.joins.includes("or");
    return { op: or ? "or" : "and", filters: leaves };
  }
  const values = [...new Set(g.items.map((m) => m.value as FilterScalar))];
  if (values.length === 1) return leafOf(first);
  if (first.attr.type === "boolean") {
    // contradicting booleans: keep both, the search is empty rather than silently widened
    return { op: "and", filters: g.items.map(leafOf) };
  }
  return { op: first.negated ? "nin" : "in", field: first.attr.name, value: values } as Filter;
}

/** `[lo, hi]` of a two-sided range filter (`gte lo` and `lt`/`lte hi`), or undefined. */
function bounds(f: Filter): { lo: number; hi: number; closed: boolean } | undefined {
  if (f.op !== "and" || f.filters.length !== 2) return undefined;
  const [a, b] = f.filters as Array<{ op: string; value?: unknown }>;
  if (a?.op !== "gte" || (b?.op !== "lt" && b?.op !== "lte")) return undefined;
  if (typeof a.value !== "number" || typeof b.value !== "number") return undefined;
  return { lo: a.value, hi: b.value, closed: b.op === "lte" };
}

/**
 * Alternatives that are adjoining ranges of one attribute as one range: "the seventies or
 * eighties" on a year attribute is 1970–1989, "in 2021 or 2022" on a date is [2021, 2023).
 * Integer bounds join when the next starts one after the previous ends (`lte 1979`, `gte 1980`).
 */
function mergedRanges(items: Mention[]): Filter | undefined {
  if (items.some((m) => m.negated)) return undefined;
  const bs = items.map((m) => bounds(m.filter!));
  if (bs.some((b) => !b)) return undefined;
  const sorted = (bs as Array<NonNullable<ReturnType<typeof bounds>>>).sort((x, y) => x.lo - y.lo);
  for (let k = 1; k < sorted.length; k++) {
    const [p, q] = [sorted[k - 1]!, sorted[k]!];
    if (p.closed !== q.closed) return undefined;
    const joins = p.closed ? Number.isInteger(p.hi) && q.lo === p.hi + 1 : q.lo === p.hi;
    if (!joins) return undefined;
  }
  const field = (items[0]!.filter as { filters: Array<{ field: string }> }).filters[0]!.field;
  const last = sorted[sorted.length - 1]!;
  return {
    op: "and",
    filters: [
      { op: "gte", field, value: sorted[0]!.lo },
      { op: last.closed ? "lte" : "lt", field, value: last.hi },
    ],
  } as Filter;
}

function mergeable(a: Mention, b: Mention, join: "and" | "or"): boolean {
  if (a.attr !== b.attr || a.negated !== b.negated) return false;
  if (a.kind === "value" && b.kind === "value") return true;
  if (a.kind !== "range" || b.kind !== "range" || a.negated) return false;
  // "in 2021 or 2022", "before 2000 or after 2020"; with "and" only periods that adjoin, as
  // "the fifties and sixties" names one span (the conjunction of two periods would select nothing)
  return join === "or" || mergedRanges([a, b]) !== undefined;
}

/** Merges equalities on one scalar attribute inside a conjunction into `in` / `nin`. */
function conjunction(filters: Filter[]): Filter {
  const out: Filter[] = [];
  const sets = new Map<
    string,
    { op: "in" | "nin"; values: FilterScalar[]; seen: Set<FilterScalar>; at: number }
  >();
  for (const f of filters) {
    if ((f.op === "eq" || f.op === "in" || f.op === "ne" || f.op === "nin") && typeof f.field === "string") {
      const neg = f.op === "ne" || f.op === "nin";
      const key = `${neg ? "-" : "+"}${f.field}`;
      const vals = Array.isArray(f.value) ? f.value : [f.value];
      const hit = sets.get(key);
      if (hit && (neg || typeof vals[0] !== "boolean")) {
        for (const v of vals) {
          if (hit.seen.has(v)) continue;
          hit.seen.add(v);
          hit.values.push(v);
        }
        continue;
      }
      sets.set(key, { op: neg ? "nin" : "in", values: [...vals], seen: new Set(vals), at: out.length });
      out.push(f);
      continue;
    }
    out.push(f);
  }
  for (const [key, s] of sets) {
    const field = key.slice(1);
    if (s.values.length > 1) out[s.at] = { op: s.op, field, value: s.values } as Filter;
  }
  return out.length === 1 ? out[0]! : { op: "and", filters: out };
}

/** Words after "or" that widen it to the whole request ("python guides or anything tagged testing"). */
const WIDE_OR = new Set(["anything", "everything", "any", "else", "whatever"]);

type Join = "and" | "or" | "wide";

/**
 * Filter of a run of groups joined by "and" and "or". An "or" binds the groups on either side of
 * it, not the whole run: "engineering roles that are senior or require rust" is
 * engineering AND (senior OR rust). Parallel phrases keep their shape: when the groups just
 * before "or" name the same attributes, in order, as the groups just after it ("silver laptops
 * or silver phones"), each side is that whole phrase.
 */
function segmentFilter(groups: Group[], joins: Join[]): Filter {
  const out: Filter[] = [];
  const conj = (from: number, to: number) => conjunction(groups.slice(from, to).map(groupFilter));
  let i = 0;
  while (i < groups.length) {
    let j = i;
    while (j < groups.length - 1 && joins[j] !== "or") j++;
    if (j >= groups.length - 1) {
      for (let k = i; k < groups.length; k++) out.push(groupFilter(groups[k]!));
      break;
    }
    let r = j + 1;
    while (r < groups.length - 1 && joins[r] !== "or") r++;
    const maxK = Math.min(j - i + 1, r - j);
    let width = 1;
    for (let k = maxK; k > 1; k--) {
      let same = true;
      for (let q = 0; q < k && same; q++) same = groups[j - k + 1 + q]!.attr === groups[j + 1 + q]!.attr;
      if (same) {
        width = k;
        break;
      }
    }
    for (let k = i; k <= j - width; k++) out.push(groupFilter(groups[k]!));
    const alternatives = [conj(j - width + 1, j + 1), conj(j + 1, j + 1 + width)];
    i = j + 1 + width;
    while (i < groups.length && joins[i - 1] === "or") {
      const w = Math.min(width, groups.length - i);
      alternatives.push(conj(i, i + w));
      i += w;
    }
    out.push({ op: "or", filters: alternatives });
  }
  return conjunction(out);
}

/**
 * Whether the connective at `i` stands between two content words that no pass read, neither of
 * them next to a condition ("in germany or austria with": yes; "japanese dishes or anything
 * tagged quick": no, "dishes" follows a condition).
 */
function joinsUnread(ctx: ParseContext, i: number): boolean {
  const unread = (k: number) => {
    const t = ctx.tokens[k];
    return !!t && ctx.owner[k] === -1 && /^\p{L}[\p{L}'-]*$/u.test(t.low) && !LIST_GAP.has(t.low);
  };
  const mention = (k: number) => (ctx.owner[k] ?? -1) >= 0;
  return unread(i - 1) && unread(i + 1) && !mention(i - 2) && !mention(i + 2);
}

/** Combines the mentions (in text order) into one filter: lists, conjunctions and disjunctions. */
export function combine(ctx: ParseContext): Filter | null {
  const ms = ctx.mentions;
  if (ms.length === 0) return null;
  const joins: Join[] = [];
  for (let k = 1; k < ms.length; k++) {
    const g = gap(ctx, ms[k - 1]!.end, ms[k]!.start);
    // "either" only marks where a disjunction starts; "or" / "nor" / "/" make it, unless it joins
    // two words no pass read ("designer in germany or austria with 50+ jobs": the "or" is
    // between the unread places, not between the conditions)
    const or = g.some((x) => OR_WORDS.has(x.low) && x.low !== "either" && !joinsUnread(ctx, x.i));
    joins.push(or ? (g.some((x) => WIDE_OR.has(x.low)) ? "wide" : "or") : "and");
    for (const x of g) if (CONNECTORS.has(x.low) && ctx.owner[x.i] === -1) ctx.owner[x.i] = FILLER;
  }
  const groups: Group[] = [];
  const groupJoins: Join[] = [];
  for (let k = 0; k < ms.length; k++) {
    const m = ms[k]!;
    const last = groups[groups.length - 1];
    const join = joins[k - 1]!;
    if (k > 0 && last && mergeable(last.items[last.items.length - 1]!, m, join === "and" ? "and" : "or")) {
      last.items.push(m);
      last.joins.push(join === "and" ? "and" : "or");
      continue;
    }
    if (k > 0) groupJoins.push(join);
    groups.push({ attr: m.attr, items: [m], joins: [] });
  }
  const parts: Filter[] = [];
  let from = 0;
  for (let k = 0; k <= groups.length; k++) {
    if (k < groups.length && (k === 0 || groupJoins[k - 1] !== "wide")) continue;
    parts.push(segmentFilter(groups.slice(from, k), groupJoins.slice(from, k - 1)));
    from = k;
  }
  return parts.length === 1 ? parts[0]! : { op: "or", filters: parts };
}
