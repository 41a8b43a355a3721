/**
 * Word lists of the rule-based parser (English). Hand-written from common query phrasings;
 * ordered longest first where prefixes overlap.
 */
import type { Token } from "./tokenize.js";

export type RangeOp = "gt" | "gte" | "lt" | "lte" | "eq";

/** Comparative phrases placed before a value ("more than 5", "after March 2023"). */
export const PREFIX_COMPARATIVES: Array<[string, RangeOp]> = [
  ["no more than", "lte"],
  ["not more than", "lte"],
  ["no less than", "gte"],
  ["not less than", "gte"],
  ["no later than", "lte"],
  ["no earlier than", "gte"],
  ["not later than", "lte"],
  ["not earlier than", "gte"],
  ["no fewer than", "gte"],
  ["greater than or equal to", "gte"],
  ["less than or equal to", "lte"],
  ["more than or equal to", "gte"],
  ["in excess of", "gt"],
  ["a maximum of", "lte"],
  ["a minimum of", "gte"],
  ["more recent than", "gt"],
  ["less expensive than", "lt"],
  ["more expensive than", "gt"],
  ["more than", "gt"],
  ["greater than", "gt"],
  ["higher than", "gt"],
  ["larger than", "gt"],
  ["bigger than", "gt"],
  ["longer than", "gt"],
  ["later than", "gt"],
  ["newer than", "gt"],
  ["above", "gt"],
  ["over", "gt"],
  ["exceeding", "gt"],
  ["exceeds", "gt"],
  ["beyond", "gt"],
  ["after", "gt"],
  ["post", "gt"],
  ["at least", "gte"],
  ["minimum", "gte"],
  ["min", "gte"],
  ["since", "gte"],
  ["starting", "gte"],
  ["starting from", "gte"],
  ["starting in", "gte"],
  ["as of", "gte"],
  ["less than", "lt"],
  ["fewer than", "lt"],
  ["lower than", "lt"],
  ["smaller than", "lt"],
  ["shorter than", "lt"],
  ["cheaper than", "lt"],
  ["earlier than", "lt"],
  ["older than", "lt"],
  ["under", "lt"],
  ["below", "lt"],
  ["before", "lt"],
  ["prior to", "lt"],
  ["pre", "lt"],
  ["at most", "lte"],
  ["up to", "lte"],
  ["maximum", "lte"],
  ["max", "lte"],
  ["until", "lte"],
  ["till", "lte"],
  ["through", "lte"],
  ["exactly", "eq"],
  ["equal to", "eq"],
  ["equals", "eq"],
  [">=", "gte"],
  ["≥", "gte"],
  ["<=", "lte"],
  ["≤", "lte"],
  [">", "gt"],
  ["<", "lt"],
  ["=", "eq"],
];

/** Comparative phrases placed after a value ("4 or more", "2020 onwards", "5+"). */
export const POSTFIX_COMPARATIVES: Array<[string, RangeOp]> = [
  ["or more", "gte"],
  ["or higher", "gte"],
  ["or above", "gte"],
  ["or greater", "gte"],
  ["or later", "gte"],
  ["or newer", "gte"],
  ["or after", "gte"],
  ["or over", "gte"],
  ["and up", "gte"],
  ["and above", "gte"],
  ["and higher", "gte"],
  ["and later", "gte"],
  ["and newer", "gte"],
  ["and over", "gte"],
  ["onwards", "gte"],
  ["onward", "gte"],
  ["or less", "lte"],
  ["or fewer", "lte"],
  ["or lower", "lte"],
  ["or below", "lte"],
  ["or under", "lte"],
  ["or earlier", "lte"],
  ["or older", "lte"],
  ["or before", "lte"],
  ["and under", "lte"],
  ["and below", "lte"],
  ["and earlier", "lte"],
  ["and older", "lte"],
  ["and lower", "lte"],
  ["or cheaper", "lte"],
  ["max", "lte"],
  ["maximum", "lte"],
  ["at most", "lte"],
  ["tops", "lte"],
  ["minimum", "gte"],
  ["min", "gte"],
  ["at least", "gte"],
  ["+", "gte"],
  ["plus", "gte"],
];

/** Prepositions that make a bare year or date a filter ("from 2001", "in 2022", "during the 90s"). */
export const DATE_PREPOSITIONS = new Set(["in", "from", "during", "of", "on", "circa", "around", "dated", "year"]);

/** Words that introduce a title or a comparison, after which a number is not a filter. */
export const LIKE_WORDS = new Set(["like", "as", "called", "titled", "named", "entitled", "similar", "than"]);

/** Negation cues ("not the changelogs", "excluding vue", "without video"). */
export const NEGATIONS: string[][] = [
  ["other", "than"],
  ["apart", "from"],
  ["anything", "but"],
  ["except", "for"],
  ["leave", "out"],
  ["leaving", "out"],
  ["not"],
  ["no"],
  ["non"],
  ["excluding"],
  ["exclude"],
  ["excludes"],
  ["except"],
  ["without"],
  ["never"],
  ["neither"],
  ["nor"],
  ["isn't"],
  ["aren't"],
  ["wasn't"],
  ["weren't"],
  ["don't"],
  ["doesn't"],
  ["minus"],
  ["ignore"],
  ["ignoring"],
  ["skip"],
  ["skipping"],
  ["omit"],
  ["omitting"],
  ["but", "not"],
  ["un"],
];

/** Postfix negation ("changelogs excluded"). */
export const POSTFIX_NEGATIONS = new Set(["excluded", "omitted"]);

/** Words that may sit between a negation or cue and the value it applies to. */
export const BRIDGE_WORDS = new Set([
  "the", "a", "an", "any", "anything", "those", "ones", "one", "that", "which", "are", "is", "be", "being",
  "written", "in", "with", "from", "by", "made", "using", "for", "of", "tagged", "labelled", "labeled", "marked",
  "published", "released", "including", "include", "includes", "to", "about", "on", "stuff", "things",
]);

/** Words the semantic query never starts or ends with. */
export const EDGE_FILLER = new Set([
  "a", "an", "the", "and", "or", "nor", "but", "not", "no", "only", "just", "that", "which", "who", "are", "is",
  "was", "were", "be", "been", "with", "without", "from", "in", "on", "of", "by", "for", "to", "at", "about",
  "show", "me", "find", "give", "get", "list", "search", "looking", "look", "i", "want", "need", "please",
  "any", "some", "all", "those", "these", "ones", "one", "written", "using", "made", "published", "released",
  "tagged", "labelled", "labeled", "also", "plus", "than", "between", "within", "during", "since", "after",
  "before", "under", "over", "above", "below", "more", "less", "at", "least", "most", "either", "neither",
  "except", "excluding", "other", "anything", "something", "stuff", "things", "i'm", "it", "its", "into",
  "where", "whose", "has", "have", "having", "can", "could", "would", "do", "does", "what", "rated", "as",
]);

/** Connector words between two filter mentions. */
export const OR_WORDS = new Set(["or", "nor", "either", "/"]);

/** Cues for membership in an array attribute ("tagged hooks"). */
export const TAG_CUES = new Set(["tagged", "tag", "tags", "labelled", "labeled", "label", "labels", "marked", "topic", "topics"]);

/** Common English words that only count as enumerated values with a cue ("in Go", "Go"). */
export const COMMON_WORDS = new Set([
  "go", "express", "spring", "swift", "next", "rest", "state", "flow", "free", "new", "open", "may", "will",
  "can", "make", "one", "all", "it", "us", "c", "d", "r", "v", "kit", "salt", "chef", "puppet", "ember", "solid",
  "crystal", "pearl", "light", "dark", "home", "short", "bun", "nest", "meteor", "deno",
]);

/** Words that make the next capitalised common word a value ("in Go", "using Express"). */
export const VALUE_CUES = new Set(["in", "using", "with", "for", "written", "language", "framework", "about", "on", "via"]);

/** Whether tokens at `i` spell `phrase` (lower case). */
export function matchesAt(tokens: Token[], i: number, phrase: string[]): boolean {
  if (i < 0 || i + phrase.length > tokens.length) return false;
  for (let j = 0; j < phrase.length; j++) if (tokens[i + j]!.low !== phrase[j]) return false;
  return true;
}

/** Whether tokens ending just before `end` spell `phrase`; returns its start index or -1. */
export function matchesBefore(tokens: Token[], end: number, phrase: string[]): number {
  const i = end - phrase.length;
  return matchesAt(tokens, i, phrase) ? i : -1;
}

/** Splits phrase lists once. */
export function splitPhrases<T>(list: Array<[string, T]>): Array<[string[], T]> {
  return list.map(([p, v]) => [p.split(" "), v]);
}
