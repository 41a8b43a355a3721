/** Phrase matching over the parser's tokens (lower-cased word sequences). */
import type { Token } from "./tokenize.js";

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
