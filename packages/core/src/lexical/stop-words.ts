/**
 * English stop words removed by the default BM25 analyzer: Lucene's
 * `EnglishAnalyzer.ENGLISH_STOP_WORDS_SET` (also Elasticsearch's `_english_` list), 33 words.
 * Short by design, like the Lucene/Elasticsearch defaults BM25 baselines are run with.
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set([
  "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
  "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they",
  "this", "to", "was", "will", "with",
]);
