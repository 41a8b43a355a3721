/**
 * Unicode normalisation of a request before the rule-based parser reads it, so that invisible or
 * look-alike characters cannot hide a keyword ("n\u2060ot", "r\u0430ted") or split a word.
 */
import unhomoglyph from "unhomoglyph";

// Invisible characters: format characters (general category Cf: zero-width spaces and joiners,
// bidirectional marks and isolates, the word joiner, soft hyphen, BOM, tag characters) and the
// other default-ignorable code points (variation selectors, Hangul fillers, ...). Removed.
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
// Control characters and line/paragraph separators: replaced by a space (they separate words).
const SEPARATORS = /[\p{Cc}\u2028\u2029]/gu;
const WORD = /[\p{L}\p{M}\p{N}]+/gu;
const LATIN = /\p{Script=Latin}/u;
const LATIN_G = /\p{Script=Latin}/gu;
const FOREIGN_G = /[\p{Script=Cyrillic}\p{Script=Greek}]/gu;

let folds: Map<string, string> | undefined;

/**
 * Cyrillic and Greek letters that look like one Latin letter, with that letter. Built once from
 * the `unhomoglyph` package (the mapping of Unicode's confusables.txt, UTS #39), keeping only
 * letters of the Greek and Cyrillic blocks whose prototype is a single ASCII letter. The prototype
 * of every I-like letter is `l`; an upper-case source reads as `I` instead.
 */
export function latinLookAlikes(): ReadonlyMap<string, string> {
  if (folds) return folds;
  folds = new Map();
  for (let cp = 0x0370; cp <= 0x052f; cp++) {
    const c = String.fromCodePoint(cp);
    // requests are folded after NFKC, so only letters NFKC leaves alone can occur
    if (c.normalize("NFKC") !== c || !/\p{L}/u.test(c)) continue;
    const p = unhomoglyph(c);
    if (!/^[A-Za-z]$/.test(p)) continue;
    folds.set(c, p === "l" && c !== c.toLowerCase() ? "I" : p);
  }
  return folds;
}

/**
 * Reads look-alikes in one word as Latin letters when the word is a disguised Latin word:
 * every letter is Latin or a look-alike, and the word either mixes them with Latin letters
 * (UTS #39 mixed-script confusable) or stands in a request written mostly in Latin letters.
 * A Greek or Russian word in a Greek or Russian request is left alone.
 */
function foldWord(word: string, latinRequest: boolean): string {
  let hasLatin = false;
  let hasFold = false;
  const map = latinLookAlikes();
  for (const c of word) {
    if (LATIN.test(c)) hasLatin = true;
    else if (map.has(c)) hasFold = true;
    else if (/\p{L}/u.test(c)) return word;
  }
  if (!hasFold || !(hasLatin || latinRequest)) return word;
  let out = "";
  for (const c of word) out += map.get(c) ?? c;
  return out;
}

/**
 * Normalises a request for parsing, in linear time:
 * 1. Unicode NFKC (compatibility forms: fullwidth `ａ`, ligatures, mathematical letters → ASCII);
 * 2. removes invisible characters (`\p{Cf}` and default-ignorable code points), then NFKC again so
 *    that a mark separated from its letter by an invisible character composes;
 * 3. replaces control characters and line/paragraph separators by spaces;
 * 4. folds Cyrillic and Greek look-alikes of Latin letters inside disguised Latin words
 *    (see {@link latinLookAlikes}).
 * The result is what the parser tokenises, so the query text it returns is normalised too.
 */
export function normalizeRequest(text: string): string {
  const clean = text.normalize("NFKC").replace(INVISIBLE, "").normalize("NFKC").replace(SEPARATORS, " ");
  const latin = clean.match(LATIN_G)?.length ?? 0;
  const foreign = clean.match(FOREIGN_G)?.length ?? 0;
  if (foreign === 0) return clean;
  const latinRequest = latin > foreign;
  return clean.replace(WORD, (w) => foldWord(w, latinRequest));
}
