/** Word forms of a value that its phrase lookup misses: closed compounds and plurals of short forms. */
import { type AttributeIndex, type Phrase, stemmedKey } from "./attribute-index.js";

/**
 * A closed compound whose head is a value (English compounds are head-final: a "copywriter" is a
 * writer, a "houseboat" a boat): a word of eight letters or more ending in a one-word value of
 * five letters or more, with three letters or more before it, when exactly one value fits.
 */
export function compoundHead(index: AttributeIndex, word: string): Phrase[] | undefined {
  if (!/^\p{L}{8,}$/u.test(word)) return undefined;
  const hits = index.phrases.filter(
    (p) =>
      p.words.length === 1 &&
      typeof p.value === "string" &&
      p.raw.length >= 5 &&
      word.length - p.raw.length >= 3 &&
      (word.endsWith(p.raw) || stemmedKey([word]).endsWith(p.key)),
  );
  return new Set(hits.map((p) => `${p.attr.name}\u0000${p.value}`)).size === 1 ? hits : undefined;
}

/**
 * The plural of a short form, which a stemmer leaves alone: "b&bs" for "b&b", "suvs" for "suv",
 * "dslrs" for "dslr" (the words without the final "s" spell a phrase ending in a word of at most
 * four characters or holding "&").
 */
export function pluralOfShortForm(index: AttributeIndex, words: string[]): Phrase[] | undefined {
  const last = words.at(-1)!;
  if (!/^[\p{L}\p{N}&]{1,6}s$/u.test(last)) return undefined;
  const hit = index.byKey.get(stemmedKey([...words.slice(0, -1), last.slice(0, -1)]));
  const short = (p: Phrase) => {
    const w = p.raw.split(" ").at(-1)!;
    return w.length <= 4 || w.includes("&");
  };
  return hit?.some(short) ? hit.filter(short) : undefined;
}
