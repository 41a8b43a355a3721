/** Splits a text into sentences; returns them trimmed, non-empty, in order. */
export type SentenceSplitter = (text: string) => string[];

const segmenters = new Map<string, Intl.Segmenter>();

/**
 * Sentence splitter on `Intl.Segmenter` with `granularity: "sentence"` (Unicode UAX #29 sentence
 * boundaries, as implemented by ICU). Each sentence is trimmed; empty segments are dropped, so
 * joining the result with a single space reproduces the text up to whitespace.
 * @param locale - BCP 47 locale of the text. @default "en"
 */
export function intlSentenceSplitter(locale = "en"): SentenceSplitter {
  let segmenter = segmenters.get(locale);
  if (!segmenter) {
    segmenter = new Intl.Segmenter(locale, { granularity: "sentence" });
    segmenters.set(locale, segmenter);
  }
  const seg = segmenter;
  return (text: string) => {
    const out: string[] = [];
    for (const { segment } of seg.segment(text)) {
      const s = segment.trim();
      if (s) out.push(s);
    }
    return out;
  };
}

/** One sentence of one document, addressed by positions. */
export interface SentenceUnit {
  /** Index of the document in the input array. */
  doc: number;
  /** Index of the sentence within its document. */
  index: number;
  text: string;
}

/** Splits every document into {@link SentenceUnit}s; returns per-document arrays and a flat list. */
export function splitDocuments(
  texts: string[],
  split: SentenceSplitter,
): { perDoc: SentenceUnit[][]; flat: SentenceUnit[] } {
  const perDoc: SentenceUnit[][] = [];
  const flat: SentenceUnit[] = [];
  texts.forEach((text, doc) => {
    const units = split(text).map((s, index) => ({ doc, index, text: s }));
    perDoc.push(units);
    flat.push(...units);
  });
  return { perDoc, flat };
}
