import { ENGLISH_STOP_WORDS } from "./stop-words.js";

/** Options of {@link createTokenizer}. */
export interface TokenizerOptions {
  /** Words to drop after lower-casing. @default ENGLISH_STOP_WORDS (Lucene's English list) */
  stopWords?: ReadonlySet<string>;
  /** Optional stemmer applied to each kept token (e.g. a Porter stemmer). @default none */
  stem?: (token: string) => string;
  /** Locale for lower-casing and word segmentation. @default "en" */
  locale?: string;
}

/** Turns a text into index terms. */
export type Tokenizer = (text: string) => string[];

/**
 * Builds the BM25 analyzer: lower-cases (locale-aware), splits on Unicode word boundaries
 * (UAX #29 via `Intl.Segmenter`, keeping only word-like segments), drops stop words, and
 * optionally stems.
 */
export function createTokenizer(options: TokenizerOptions = {}): Tokenizer {
  const stopWords = options.stopWords ?? ENGLISH_STOP_WORDS;
  const stem = options.stem;
  const locale = options.locale ?? "en";
  const segmenter = new Intl.Segmenter(locale, { granularity: "word" });
  return (text: string) => {
    const out: string[] = [];
    for (const seg of segmenter.segment(text.toLocaleLowerCase(locale))) {
      if (!seg.isWordLike) continue;
      const word = seg.segment;
      if (stopWords.has(word)) continue;
      out.push(stem ? stem(word) : word);
    }
    return out;
  };
}
