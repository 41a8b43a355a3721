import { createAnalyzer, TermList } from "./analyzer.js";

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
 * (UAX #29 word segmentation, keeping only word-like segments), drops stop words, and
 * optionally stems. Segments are those of `Intl.Segmenter(locale, { granularity: "word" })`;
 * an equivalent regular expression does the work for ASCII text and for Latin, Greek,
 * Cyrillic, Armenian and Georgian text, so the segmenter only sees the
 * whitespace-delimited runs of other scripts (CJK, Thai, Hebrew, ...), emoji and the like.
 */
export function createTokenizer(options: TokenizerOptions = {}): Tokenizer {
  const analyzer = createAnalyzer(options);
  return (text: string) => {
    const list = new TermList(analyzer.stopWords, analyzer.stem);
    analyzer.visit(text, list);
    return list.terms;
  };
}
