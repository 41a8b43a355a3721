import pluralize from "pluralize";
import porter2 from "wink-porter2-stemmer";
/** One token of a request, with its character offsets in the original text. */
export interface Token {
  /** Original spelling. */
  text: string;
  /** Lower case, curly quotes unified. */
  low: string;
  start: number;
  end: number;
}

// ISO dates, versions of two dots or more (2.32.3, 1.0.0-beta.3) and major wildcards (0.x),
// numbers with thousands separators, plain numbers with a letter suffix (10k, 90s, 1st), '90s,
// words joined by . - ' (node.js, sci-fi, don't) with trailing +/# (c++, c#), then any other symbol.
const TOKEN =
  /\d{4}-\d{1,2}-\d{1,2}|\d+(?:\.\d+){2,}(?:-[\p{L}\p{N}]+(?:\.[\p{L}\p{N}]+)*)?|\d+(?:\.\d+)*\.[x*](?![\p{L}\p{N}])|\d{1,3}(?:,\d{3})+(?:\.\d+)?[a-z]*|\d+(?:\.\d+)?(?:['’]s|[a-z]*)|['’]\d\d(?:['’]?s)|[\p{L}\p{N}]+(?:[.\-'’][\p{L}\p{N}]+)*[+#]*|[<>≤≥=!]=?|[^\s\p{L}\p{N}]/giu;

/** Splits a request into tokens (words, numbers, symbols). Linear in the input length. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const t = m[0];
    out.push({
      text: t,
      low: t.toLowerCase().replace(/[’‘`]/g, "'"),
      start: m.index,
      end: m.index + t.length,
    });
  }
  return out;
}

/** Longest word made singular or stemmed; longer ones are kept as written. */
const MAX_STEMMED_LENGTH = 40;

/**
 * Singular of an English noun, for matching values regardless of number: pluralize's rules
 * (irregular plurals included: `women` → `woman`, `bmws` → `bmw`, `b&bs` → `b&b`) after a
 * possessive `'s` is removed, lower case. Words of one or two letters are kept as written
 * (`us`), and so are words with digits or dots (`node.js`).
 */
export function singular(word: string): string {
  const w = word.toLowerCase().replace(/'s$/, "");
  if (w.length <= 2 || w.length > MAX_STEMMED_LENGTH || !/^[\p{L}&'-]+$/u.test(w)) return w;
  return memo(singulars, w, pluralize.singular);
}

/** Most words each memo of {@link singular} and {@link stem} keeps (cleared when full). */
const MEMO_SIZE = 20_000;
const singulars = new Map<string, string>();
const stems = new Map<string, string>();
function memo(cache: Map<string, string>, w: string, f: (w: string) => string): string {
  let out = cache.get(w);
  if (out === undefined) {
    if (cache.size >= MEMO_SIZE) cache.clear();
    out = f(w);
    cache.set(w, out);
  }
  return out;
}

/**
 * English stem of a word, for matching inflected and derived forms of cue words (`rated` and
 * `rating`, `refundable` and `refunds`): the Porter2 (Snowball English) stem of wink-porter2-stemmer
 * applied to {@link singular}. Both sides of a comparison go through it, so stems need not be
 * words (`libraries` → `librari`). Source: M. F. Porter, "The English (Porter2) stemming
 * algorithm", snowballstem.org.
 */
export function stem(word: string): string {
  const w = singular(word);
  // the stemmer's time grows with the square of the word's length: longer "words" are no English
  if (w.length <= 3 || w.length > MAX_STEMMED_LENGTH || !/^[a-z']+$/.test(w)) return w;
  return memo(stems, w, porter2);
}

/** Key used to compare phrases regardless of spaces, hyphens, dots and apostrophes. */
export function phraseKey(words: string[]): string {
  return words
    .join("")
    .toLowerCase()
    .replace(/[\s\-.'’_]/g, "");
}

/** Words of an attribute name: `published_at` / `publishedAt` → `["published", "at"]`. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .split(/[\s_.-]+/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);
}
