/**
 * The analyzer's word scan gives exactly the words of the scan before it (a frozen copy, whose
 * regular expression ran over every stretch of modelled text) on random mixes of the characters
 * where the two differ in method: ASCII and non-ASCII letters, marks, format characters, Mid*
 * characters, connectors, separators and whitespace.
 */
import { describe, expect, it } from "vitest";
import { scanWords } from "../../packages/core/src/lexical/word-scan.js";
import { scanWords as baselineScanWords } from "./bm25-baseline-tokenize.js";

const segmenter = new Intl.Segmenter("en", { granularity: "word" });
const viaSegmenter = (text: string, onWord: (w: string) => void) => {
  for (const s of segmenter.segment(text)) if (s.isWordLike) onWord(s.segment);
};
const words = (scan: typeof scanWords, text: string) => {
  const out: string[] = [];
  scan(text, viaSegmenter, (w) => out.push(w));
  return out;
};

const ALPHABET = [
  ..."ab1_ .,;:'-(/\t",
  ..."αβµéяΣ",
  "\u0301",
  "\u00ad",
  "\u200e",
  ..."\u00b7\u2019\u2018\u2024\u2027\u0387\u037e\u2044",
  ..."‿\u202f",
  ..."–−±×≥“\u00a0\u2028",
  ..."日😀\u200d",
];

describe("scanWords against the scan before it", () => {
  it("gives the same words on random mixes of letters, marks, joiners and separators", () => {
    let seed = 17;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const differ: string[] = [];
    for (let n = 0; n < 30_000 && differ.length < 5; n++) {
      const len = 1 + Math.floor(rand() * 12);
      let text = "";
      for (let i = 0; i < len; i++) text += ALPHABET[Math.floor(rand() * ALPHABET.length)];
      const got = words(scanWords, text);
      const want = words(baselineScanWords, text);
      if (JSON.stringify(got) !== JSON.stringify(want))
        differ.push(`${JSON.stringify(text)}: ${got} vs ${want}`);
    }
    expect(differ).toEqual([]);
  });
});
