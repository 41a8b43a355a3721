import { ENGLISH_STOP_WORDS } from "@ragloom/core";

/**
 * The BM25 analyzer before the word scan: the ASCII regular expression for pure-ASCII text,
 * `Intl.Segmenter` on the whole text otherwise (same terms, see word-scan.test.ts).
 */
export function segmenterTokenizer() {
  const ascii =
    /[A-Za-z0-9_]+(?:(?:(?<=[A-Za-z])[:.'](?=[A-Za-z])|(?<=[0-9])[,;.'](?=[0-9]))[A-Za-z0-9_]+)*/g;
  const segmenter = new Intl.Segmenter("en", { granularity: "word" });
  return (text: string) => {
    const out: string[] = [];
    const words = !/[^\p{ASCII}]/u.test(text)
      ? (text.toLowerCase().match(ascii) ?? []).filter((w) => w !== "_")
      : [...segmenter.segment(text.toLocaleLowerCase("en"))]
          .filter((s) => s.isWordLike)
          .map((s) => s.segment);
    for (const w of words) if (!ENGLISH_STOP_WORDS.has(w)) out.push(w);
    return out;
  };
}
