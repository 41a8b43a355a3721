/**
 * Ordinals before a word naming a number attribute: "first editions" is `edition = 1`, "the 3rd
 * season or later" is `season >= 3`, "second printing" is `printing = 2`. Only an ordinal right
 * before the attribute's own word counts ("the first books about" names no attribute).
 */
import type { AttributeInfo } from "../schema.js";
import { cueAttributes } from "./attribute-index.js";
import { addMention, allFree, isFree, type ParseContext } from "./context.js";
import { POSTFIX_COMPARATIVES } from "./lexicon.js";
import { readNumber } from "./numbers.js";
import { matchesAt } from "./phrases.js";
import { nameWords } from "./tokenize.js";

const ORDINAL_WORDS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
};

/** Value of an ordinal token (`first`, `3rd`, `21st`), or undefined. */
export function ordinalValue(low: string): number | undefined {
  if (low in ORDINAL_WORDS) return ORDINAL_WORDS[low];
  const m = /^(\d{1,4})(st|nd|rd|th)$/.exec(low);
  return m ? Number(m[1]) : undefined;
}

/** Finds ordinals before a word of a number attribute, with an optional postfix comparative. */
export function extractOrdinals(ctx: ParseContext): void {
  const { tokens } = ctx;
  for (let i = 0; i + 1 < tokens.length; i++) {
    const n = isFree(ctx, i) ? ordinalValue(tokens[i]!.low) : undefined;
    if (n === undefined || !isFree(ctx, i + 1)) continue;
    const attrs = cueAttributes(ctx.index, tokens[i + 1]!.low).filter(
      (a: AttributeInfo) => a.type === "number",
    );
    if (attrs.length !== 1) continue;
    const attr = attrs[0]!;
    // "first response time" for `first_response_minutes`: the ordinal is a word of the name
    if (nameWords(attr.name).includes(tokens[i]!.low)) continue;
    if ((attr.minimum !== undefined && n < attr.minimum) || (attr.maximum !== undefined && n > attr.maximum))
      continue;
    let end = i + 2;
    let op: "eq" | "gte" | "lte" = "eq";
    for (const [phrase, o] of POSTFIX_COMPARATIVES) {
      const words = phrase.split(" ");
      if (
        (o === "gte" || o === "lte") &&
        matchesAt(tokens, end, words) &&
        allFree(ctx, end, end + words.length)
      ) {
        op = o;
        end += words.length;
        break;
      }
    }
    const filter = { op, field: attr.name, value: n } as const;
    addMention(ctx, { attr, start: i, end, kind: "range", filter, negated: false });
    i = end - 1;
  }
}

/** Name words of an attribute holding a position in a sequence ("episode_number", "track_no"). */
const POSITION_WORDS = new Set(["number", "no", "num", "index", "position", "rank", "order"]);

/**
 * "the first 10 episodes" on `episode_number`: the first N things an attribute numbers in
 * sequence are positions 1 to N (`lte N`). Only an attribute named for a position, with the
 * noun after the number naming it.
 */
export function extractFirstN(ctx: ParseContext): void {
  const { tokens } = ctx;
  for (let i = 0; i + 2 < tokens.length; i++) {
    if (tokens[i]!.low !== "first" || !isFree(ctx, i)) continue;
    const n = readNumber(tokens, i + 1);
    if (!n || n.currency || n.unit || !Number.isInteger(n.value) || n.value < 1) continue;
    if (!allFree(ctx, i, n.end + 1)) continue;
    const attrs = cueAttributes(ctx.index, tokens[n.end]!.low).filter(
      (a) => a.type === "number" && nameWords(a.name).some((w) => POSITION_WORDS.has(w)),
    );
    if (attrs.length !== 1) continue;
    const attr = attrs[0]!;
    const filter = { op: "lte", field: attr.name, value: n.value } as const;
    addMention(ctx, { attr, start: i, end: n.end + 1, kind: "range", filter, negated: false });
    i = n.end;
  }
}
