/**
 * The built-in BM25 analyzer as a word visitor: the words of a text before stop words and
 * stemming, as ranges of the lower-cased text where possible, so an index can look terms up
 * without a string per word. `createTokenizer` is this visitor collecting strings.
 */
import { scanAsciiWords, type WordSink } from "./ascii-words.js";
import { ENGLISH_STOP_WORDS } from "./stop-words.js";
import type { TokenizerOptions } from "./tokenize.js";
import { type RunSegmenter, scanWordsInto } from "./word-scan.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * Texts on which the word scan must agree with the locale's `Intl.Segmenter` for it to be
 * used (locales whose word-break rules differ from the root rules fall back to the segmenter).
 */
const PROBES = [
  "l\u2019été a:b a.b 1,5 1.5 x\u00b7y a_b _ __ a\u202fb µm \u03b1-\u03b2 \u0434\u043e\u043c e\u0301t\u00e9 x\u00b2 3.a",
  "ab\u2024cd \u00ad \u0301x a\u2027b 1;2 1\u037e2 \u0561\u0562 \u10d0\u10d1 \u00e7a\u2019s \u2018a\u2019",
];

/** The built-in analyzer: its options resolved and its word visitor. */
export interface Analyzer {
  readonly stopWords: ReadonlySet<string>;
  readonly stem: ((token: string) => string) | undefined;
  /** Passes the words of `text` (lower-cased, before stop words and stemming) to `sink`, in order. */
  visit(text: string, sink: WordSink): void;
}

/** Collects the words of a visit as strings. */
class WordList implements WordSink {
  readonly words: string[] = [];
  range(text: string, start: number, end: number, _hash: number): void {
    this.words.push(text.slice(start, end));
  }
  word(word: string): void {
    this.words.push(word);
  }
}

/**
 * Builds the analyzer: ASCII text is lower-cased with `toLowerCase` and scanned; other text is
 * lower-cased for the locale and scanned for Latin, Greek, Cyrillic, Armenian and Georgian
 * words, with `Intl.Segmenter` on the whitespace-delimited runs of other scripts (or on the
 * whole text when the locale's segmenter disagrees with the scan on {@link PROBES}).
 */
export function createAnalyzer(options: TokenizerOptions = {}): Analyzer {
  const locale = options.locale ?? "en";
  const segmenter = new Intl.Segmenter(locale, { granularity: "word" });
  const segment: RunSegmenter = (text, onWord) => {
    for (const seg of segmenter.segment(text)) if (seg.isWordLike) onWord(seg.segment);
  };
  const scan = PROBES.every((p) => {
    const lower = p.toLocaleLowerCase(locale);
    const viaScan = new WordList();
    scanWordsInto(lower, segment, viaScan);
    const viaSegmenter: string[] = [];
    segment(lower, (w) => viaSegmenter.push(w));
    return JSON.stringify(viaScan.words) === JSON.stringify(viaSegmenter);
  });
  return {
    stopWords: options.stopWords ?? ENGLISH_STOP_WORDS,
    stem: options.stem,
    visit(text, sink) {
      if (!NON_ASCII.test(text)) {
        const lower = text.toLowerCase();
        scanAsciiWords(lower, 0, lower.length, sink);
      } else if (scan) {
        scanWordsInto(text.toLocaleLowerCase(locale), segment, sink);
      } else {
        segment(text.toLocaleLowerCase(locale), (w) => sink.word(w));
      }
    },
  };
}

/** Collects the terms of a visit: stop words dropped, the stemmer applied. */
export class TermList implements WordSink {
  terms: string[] = [];
  constructor(
    private readonly stopWords: ReadonlySet<string>,
    private readonly stem: ((token: string) => string) | undefined,
  ) {}
  range(text: string, start: number, end: number, _hash: number): void {
    this.word(text.slice(start, end));
  }
  word(word: string): void {
    if (this.stopWords.has(word)) return;
    this.terms.push(this.stem ? this.stem(word) : word);
  }
}
