/** Comparative phrases and attribute cues around a number (helpers of the quantity pass). */

import type { AttributeInfo } from "../schema.js";
import { cueAttributes, describes, fuzzyCue } from "./attribute-index.js";
import { allFree, isFree, type ParseContext } from "./context.js";
import { BRIDGE_WORDS, POSTFIX_COMPARATIVES, PREFIX_COMPARATIVES, type RangeOp } from "./lexicon.js";
import { matchesAt, splitPhrases } from "./phrases.js";
import { singular } from "./tokenize.js";

export const PREFIX = splitPhrases(PREFIX_COMPARATIVES).sort((a, b) => b[0].length - a[0].length);
export const POSTFIX = splitPhrases(POSTFIX_COMPARATIVES).sort((a, b) => b[0].length - a[0].length);

export function readPrefix(
  ctx: ParseContext,
  i: number,
): { op: RangeOp; end: number; words: string[] } | undefined {
  for (const [words, op] of PREFIX) {
    if (matchesAt(ctx.tokens, i, words) && allFree(ctx, i, i + words.length))
      return { op, end: i + words.length, words };
  }
  return undefined;
}

export function readPostfix(ctx: ParseContext, i: number): { op: RangeOp; end: number } | undefined {
  for (const [words, op] of POSTFIX) {
    if (matchesAt(ctx.tokens, i, words) && allFree(ctx, i, i + words.length))
      return { op, end: i + words.length };
  }
  return undefined;
}

export interface Cue {
  attrs: AttributeInfo[];
  start: number;
  end: number;
  factor?: number;
  /** A unit several attributes accept: each one's factor (`attrs` is ordered by preference). */
  factors?: Map<AttributeInfo, number>;
}

type UnitOf = { attr: AttributeInfo; factor: number };

/** Words that join a unit to the attribute words after it ("1,000 m of elevation gain"). */
const UNIT_LINKS = new Set(["of", "in", "for", "total", "worth"]);

/**
 * The cue of a unit word, its attributes ordered by how likely an amount in that unit is for
 * them when several accept it ("1,000 m" with `length_km` and `elevation_gain_ft`): those the
 * next words describe ("of elevation gain"), then those stored in that very unit ("2000 ft" →
 * `elevation_gain_ft`), then the rest. An attribute word before the number still decides
 * (see {@link narrowUnitCue}).
 */
function unitCue(ctx: ParseContext, units: UnitOf[], start: number, end: number, from: number): Cue {
  const rank = new Map<UnitOf, number>(units.map((u) => [u, u.factor === 1 ? 1 : 2]));
  if (units.length > 1) {
    let k = from;
    while (k < ctx.tokens.length && UNIT_LINKS.has(ctx.tokens[k]!.low) && isFree(ctx, k)) k++;
    for (let w = k; w < k + 2 && w < ctx.tokens.length && isFree(ctx, w); w++) {
      const word = ctx.tokens[w]!.low;
      const named = units.filter(
        (u) => describes(ctx.index, u.attr, word) || cueAttributes(ctx.index, word).includes(u.attr),
      );
      if (named.length === 1) {
        rank.set(named[0]!, 0);
        break;
      }
    }
  }
  const ordered = [...units].sort((a, b) => rank.get(a)! - rank.get(b)!);
  return {
    attrs: ordered.map((u) => u.attr),
    start,
    end,
    factor: ordered[0]!.factor,
    factors: new Map(ordered.map((u) => [u.attr, u.factor])),
  };
}

/**
 * "files over 2 GB" with `file_size_mb` and `backup_gb`: when an attribute word before the
 * number names one of the attributes a unit cue accepts, that one is meant.
 */
export function narrowUnitCue(after: Cue | undefined, before: Cue | undefined): void {
  if (!after?.factors || !before) return;
  const named = after.attrs.filter((a) => before.attrs.includes(a));
  if (named.length !== 1) return;
  after.attrs = [named[0]!];
  after.factor = after.factors.get(named[0]!);
}

/** Attribute words or units right after `i` ("300 pages", "2 hours", "4-star"). */
export function cueAfter(ctx: ParseContext, i: number, glued?: string): Cue | undefined {
  if (glued) {
    const u = ctx.index.units.get(glued);
    if (u) return unitCue(ctx, u, i, i, i);
    // "700Wh" on `battery_wh`: a unit word of the attribute's name, glued to the number
    const named = cueAttributes(ctx.index, glued).filter((a) => a.type === "number");
    if (named.length) return { attrs: named, start: i, end: i };
  }
  let j = i;
  if (ctx.tokens[j]?.low === "-") j++;
  const t = ctx.tokens[j];
  if (!t || !isFree(ctx, j)) return undefined;
  const u = ctx.index.units.get(t.low) ?? ctx.index.units.get(singular(t.low));
  if (u) return unitCue(ctx, u, i, j + 1, j + 1);
  const attrs = cueAttributes(ctx.index, t.low);
  // "from the 2000s pressed in the 2010s": a cue that a preposition and a value follow is theirs
  const next = ctx.tokens[j + 1]?.low ?? "";
  const claimed =
    ["in", "from", "during", "since", "before", "after"].includes(next) &&
    /\d/.test(
      ctx.tokens
        .slice(j + 2, j + 4)
        .map((x) => x.text)
        .join(" "),
    );
  if (attrs.length && !claimed) return { attrs, start: i, end: j + 1 };
  // "7.5 on IMDb", "80+ on metacritic": a score on the scale an attribute is named after
  if (t.low === "on") {
    const k = ctx.tokens[j + 1]?.low === "the" ? j + 2 : j + 1;
    const w = ctx.tokens[k];
    const scales =
      w && allFree(ctx, j, k + 1) ? cueAttributes(ctx.index, w.low).filter((a) => a.type === "number") : [];
    if (scales.length) return { attrs: scales, start: i, end: k + 1 };
  }
  // "10000 GitHub stars": words of the attribute's own description before its word
  for (let k = j + 1; k <= j + 2 && isFree(ctx, k); k++) {
    const word = ctx.tokens[k]!.low;
    const named = [
      ...(ctx.index.units.get(word) ?? []).map((x) => x.attr),
      ...cueAttributes(ctx.index, word),
    ];
    const fits = named.filter((a) => ctx.tokens.slice(j, k).every((w) => describes(ctx.index, a, w.low)));
    if (fits.length) return { attrs: fits, start: i, end: k + 1 };
  }
  return undefined;
}

/** Attribute words shortly before `i` ("rating of at least", "published after", "priced under"). */
export function cueBefore(ctx: ParseContext, i: number): Cue | undefined {
  let j = i - 1;
  // words passed over that are not bridges: only words of the named attribute's description
  // ("metacritic score of 85": `score` is in "Metacritic critic score")
  const skipped: string[] = [];
  const ok = (attrs: AttributeInfo[]) =>
    attrs.filter((a) => skipped.every((w) => describes(ctx.index, a, w)));
  for (let steps = 0; steps < 4 && j >= 0 && isFree(ctx, j); steps++, j--) {
    const t = ctx.tokens[j]!;
    for (const cp of ctx.index.cuePhrases) {
      const s = j - cp.words.length + 1;
      if (matchesAt(ctx.tokens, s, cp.words) && allFree(ctx, s, j + 1) && ok([cp.attr]).length)
        return { attrs: [cp.attr], start: s, end: i };
    }
    const attrs = ok(cueAttributes(ctx.index, t.low));
    if (attrs.length) return { attrs, start: j, end: i };
    if (skipped.length) return undefined;
    // "phaze 3": a misspelt attribute word right before the number
    const typo = ctx.fuzzy && j === i - 1 ? fuzzyCue(ctx.index, t.low) : undefined;
    if (typo) return { attrs: typo, start: j, end: i };
    if (
      !BRIDGE_WORDS.has(t.low) &&
      ![
        "a",
        "rating",
        "with",
        "has",
        "have",
        "having",
        "costing",
        "priced",
        "whose",
        "was",
        "were",
        "#",
      ].includes(t.low)
    ) {
      if (!/^\p{L}{3,}$/u.test(t.low)) return undefined;
      skipped.push(t.low);
    }
  }
  return undefined;
}

/**
 * The rest of a compound amount after a unit word: "and a half" (half the amount read) or a
 * number with another unit of the same attribute ("5 hours 30 minutes", "1 hour and 15 min").
 */
export function compoundTail(
  ctx: ParseContext,
  after: Cue,
): { add: number; half: boolean; end: number } | undefined {
  const t = ctx.tokens;
  let j = after.end;
  if (matchesAt(t, j, ["and", "a", "half"]) && allFree(ctx, j, j + 3))
    return { add: 0, half: true, end: j + 3 };
  if (t[j]?.low === "and") j++;
  const n = /^\d+(?:\.\d+)?$/.test(t[j]?.low ?? "") ? Number(t[j]!.low) : undefined;
  const units = ctx.index.units.get(t[j + 1]?.low ?? "");
  const unit = units?.find((u) => after.attrs.includes(u.attr));
  if (n === undefined || !unit || !allFree(ctx, j, j + 2)) return undefined;
  return { add: n * unit.factor, half: false, end: j + 2 };
}
