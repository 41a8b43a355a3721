import { createTokenizer } from "@ragloom/core";

const tokenize = createTokenizer();
/** BM25 term-frequency saturation and length normalisation: the defaults of core's `BM25Index`. */
const K1 = 0.9;
const B = 0.4;

/**
 * BM25 score of each text for `query`, with the collection statistics (document frequencies,
 * average length) of these texts only, and core's BM25 analyzer (lower-cased Unicode words, English
 * stop words dropped). Robertson and Zaragoza, "The Probabilistic Relevance Framework: BM25 and
 * Beyond" (2009), with the `log(1 + (N - df + 0.5) / (df + 0.5))` idf of Lucene; k1 = 0.9,
 * b = 0.4 as in Anserini.
 * @returns one score >= 0 per text, in input order (0 when no query term occurs in it).
 */
export function bm25Scores(query: string, texts: string[]): number[] {
  const terms = [...new Set(tokenize(query))];
  if (terms.length === 0 || texts.length === 0) return texts.map(() => 0);
  const wanted = new Set(terms);
  const lengths: number[] = [];
  const tfs: Array<Map<string, number>> = [];
  const df = new Map<string, number>();
  for (const text of texts) {
    const tokens = tokenize(text);
    lengths.push(tokens.length);
    const tf = new Map<string, number>();
    for (const t of tokens) if (wanted.has(t)) tf.set(t, (tf.get(t) ?? 0) + 1);
    for (const t of tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
    tfs.push(tf);
  }
  const n = texts.length;
  const avgdl = lengths.reduce((s, l) => s + l, 0) / n || 1;
  return tfs.map((tf, i) => {
    let score = 0;
    for (const [term, f] of tf) {
      const d = df.get(term)!;
      const idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
      score += (idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * lengths[i]!) / avgdl));
    }
    return score;
  });
}
