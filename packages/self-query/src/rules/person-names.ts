import type { AttributeInfo } from "../schema.js";
import { addMention, FILLER, isFree, type ParseContext } from "./context.js";
import { WORD } from "./lexicon.js";

/** Person names in requests: role cues ("by", "featuring", "assigned to"), titles, lists of names. */

/** Titles before a person's name, left out of the value. */
export const TITLES = new Set([
  "justice",
  "judge",
  "dr",
  "doctor",
  "prof",
  "professor",
  "mr",
  "mrs",
  "ms",
  "sir",
  "dame",
]);

/** "by" and "to" after a participle ("assigned to", "reporting to", "owned by") cue a name. */
export function isRoleCue(tokens: ParseContext["tokens"], i: number): boolean {
  const w = tokens[i]!.low;
  if (w === "by" || w === "featuring" || w === "starring") return true;
  return w === "to" && /(ed|ing)$/.test(tokens[i - 1]?.low ?? "");
}

/** Words of a name or description that say a free-text attribute holds names of people or groups. */
export const PEOPLE =
  /author|director|writer|creator|artist|maker|composer|name|by|organi[sz]ation|sponsor|owner|manager|agent|person|performer|band|speaker|singer|musician|actor|player/i;

/**
 * Further capitalised names joined by "and" or a comma after a name read for an array
 * attribute; each is one more membership. Returns the token after the last name read.
 */
export function moreNames(ctx: ParseContext, attr: AttributeInfo, from: number): number {
  const { tokens } = ctx;
  let end = from;
  while ((tokens[end]?.low === "and" || tokens[end]?.low === ",") && isFree(ctx, end)) {
    let k = end + 1;
    while (
      k < tokens.length &&
      k < end + 4 &&
      isFree(ctx, k) &&
      /^\p{Lu}/u.test(tokens[k]!.text) &&
      WORD.test(tokens[k]!.low)
    )
      k++;
    if (k - (end + 1) < 2) break;
    const value = tokens
      .slice(end + 1, k)
      .map((x) => x.text)
      .join(" ");
    addMention(ctx, { attr, start: end + 1, end: k, kind: "value", value, negated: false });
    ctx.owner[end] = FILLER;
    end = k;
  }
  return end;
}
