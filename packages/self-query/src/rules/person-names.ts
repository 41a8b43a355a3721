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

/**
 * Role verbs whose agent noun shares no stem with them: "starring" names the cast, not a
 * "starrer". Verbs that do ("directed" → director, "curated" → curator) need no entry.
 */
export const ROLE_NOUNS: Readonly<Record<string, readonly string[]>> = {
  starring: ["cast", "actor", "actors", "actress", "star", "stars"],
  featuring: ["artist", "artists", "cast", "performer", "performers", "guest", "guests", "featured"],
};

/**
 * Free-text attributes a role cue names: those whose name or description holds the verb's
 * root ("directed" → `director`, "curated" → "lead curator") or one of its agent nouns
 * ({@link ROLE_NOUNS}); empty when none does.
 */
export function attributesOfRole(verb: string | undefined, attrs: AttributeInfo[]): AttributeInfo[] {
  if (!verb) return [];
  const text = (a: AttributeInfo) => ` ${a.name.replace(/_/g, " ")} ${a.description} `.toLowerCase();
  const nouns = ROLE_NOUNS[verb];
  if (nouns) {
    const hit = attrs.filter((a) =>
      nouns.some((n) => new RegExp(`[^\\p{L}]${n}[^\\p{L}]`, "u").test(text(a))),
    );
    if (hit.length) return hit;
  }
  const root = verb.length > 4 ? verb.replace(/(ed|ing|s)$/, "").slice(0, 6) : undefined;
  return root ? attrs.filter((a) => text(a).includes(root)) : [];
}

/** Words never part of a person's name written in lower case ("directed by nolan in 2010"). */
const NOT_NAME = new Set(
  (
    "a an the and or in on at of for from with without to that which who before after since until " +
    "under over about is are was were films movies shows books songs albums exhibitions"
  ).split(" "),
);

/**
 * A person's name written in lower case after a role cue that named its attribute ("curated by
 * hans ulrich obrist"): two or three words, none a function word; returned in proper-noun case
 * with the token after it. Undefined when the words do not look like a name.
 */
export function lowerCaseName(ctx: ParseContext, from: number): { value: string; end: number } | undefined {
  const { tokens } = ctx;
  let k = from;
  while (
    k < tokens.length &&
    k < from + 3 &&
    isFree(ctx, k) &&
    /^\p{Ll}[\p{Ll}'’-]+$/u.test(tokens[k]!.text) &&
    !NOT_NAME.has(tokens[k]!.low)
  )
    k++;
  if (k - from < 2) return undefined;
  const value = tokens
    .slice(from, k)
    .map((t) => t.text.replace(/^\p{Ll}/u, (c) => c.toUpperCase()))
    .join(" ");
  return { value, end: k };
}
