import {
  type SelectionScope,
  type SentenceSelection,
  selectionTokenizer,
  selectSentences,
} from "./select.js";
import type { SentenceSplitter } from "./sentences.js";
import type { CompressibleDocument, WarningHandler } from "./types.js";
import { withText } from "./vectors.js";

/**
 * Shared engine of the sentence extractor and the token budget: splits documents into sentences,
 * scores them, selects, and rebuilds each document from its kept sentences in their original
 * order (joined with `separator`). Documents with no kept sentence are dropped; a document whose
 * sentences are all kept is returned as is (same object, vector included).
 */
export async function compressBySentences<T extends CompressibleDocument>(
  documents: T[],
  options: {
    compressor: string;
    splitter: SentenceSplitter;
    separator: string;
    select: SentenceSelection;
    scope: SelectionScope;
    neighbors: number;
    onWarning: WarningHandler;
    /** `scores[d][i]` for sentence `i` of document `d`, higher is better. */
    score: (sentences: string[][]) => Promise<number[][]>;
  },
): Promise<T[]> {
  const sentences = documents.map((d) => options.splitter(d.text));
  const scores = await options.score(sentences);
  const { select, separator } = options;
  const build = (doc: number, idx: Iterable<number>) => {
    const s = sentences[doc]!;
    return [...idx]
      .sort((a, b) => a - b)
      .map((i) => s[i]!)
      .join(separator);
  };
  const tokenizer = selectionTokenizer(select);
  const measure = tokenizer
    ? (doc: number, kept: Set<number>) => tokenizer.count(build(doc, kept))
    : undefined;
  const { kept, tooLong } = selectSentences(scores, sentences, {
    select,
    scope: options.scope,
    neighbors: options.neighbors,
    measure,
  });
  for (const { doc, index } of tooLong) {
    options.onWarning({
      compressor: options.compressor,
      code: "budget-too-small",
      message: `sentence ${index} of document ${documents[doc]!.id} alone exceeds the budget; left out`,
      documentId: documents[doc]!.id,
    });
  }
  const out: T[] = [];
  documents.forEach((d, i) => {
    const k = kept[i]!;
    if (k.length === 0) return;
    out.push(k.length === sentences[i]!.length ? d : withText(d, build(i, k)));
  });
  return out;
}
