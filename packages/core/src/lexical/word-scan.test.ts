/**
 * The analyzer's word scan gives exactly the terms of `Intl.Segmenter` word segmentation on the
 * lower-cased text (the analyzer before the scan existed): on every SciFact abstract and claim,
 * on multilingual samples in several locales, and on every BMP code point in small contexts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCIFACT_DIR } from "../../../../test/services.js";
import { ENGLISH_STOP_WORDS } from "./stop-words.js";
import { createTokenizer } from "./tokenize.js";
import { scanWords } from "./word-scan.js";

/** Word-like segments of the lower-cased text, stop words dropped: the segmenter-only analyzer. */
function segmenterTerms(locale = "en") {
  const segmenter = new Intl.Segmenter(locale, { granularity: "word" });
  return (text: string) =>
    [...segmenter.segment(text.toLocaleLowerCase(locale))]
      .filter((s) => s.isWordLike && !ENGLISH_STOP_WORDS.has(s.segment))
      .map((s) => s.segment);
}

/** Lets the test runner's messages through during a long loop. */
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

const jsonl = (file: string) =>
  readFileSync(join(SCIFACT_DIR, file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, string>);

const SAMPLES = [
  "L’été dernier, l'équipe a présenté « Les Misérables » à 20 h 30 — c’est-à-dire aujourd’hui.",
  "Größenänderung der Straße: Ärzte prüfen Übergrößen (z.B. 3,5 m²) im Frühjahr.",
  "¿Dónde está el niño? ¡Mañana será otro día, señor Muñoz!",
  "Zażółć gęślą jaźń; Příliš žluťoučký kůň úpěl ďábelské ódy.",
  "Tiếng Việt có dấu: người, được, những, thuở, Nguyễn Ái Quốc.",
  "Η γρήγορη καφέ αλεπού πηδάει· ΑΘΗΝΑ, Ελλάδα; ο β-αδρενεργικός υποδοχέας.",
  "Съешь же ещё этих мягких французских булок, да выпей чаю. Київ, Україна — ґанок.",
  "Հայերեն լեզու՝ Երևան։ ქართული ენა, თბილისი.",
  "İstanbul'da ılık bir gün; IŞIK ve ĞÜŞİÖÇ harfleri.",
  "东京是日本的首都。北京大学成立于1898年，研究蛋白质。",
  "日本語のテキストです。カタカナ、ひらがな、漢字が混ざっています。",
  "한국어 문장입니다. 서울특별시는 대한민국의 수도이다.",
  "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ กรุงเทพมหานคร",
  'עברית: ספר הספרים, צה״ל ו"ארה״ב" — תל־אביב.',
  "العربية: مرحبا بالعالم، ١٢٣٤ والرقم ٥٫٦.",
  "हिन्दी भाषा: नमस्ते दुनिया, १२३ किताबें।",
  "Emoji 👍🏽 and 👨‍👩‍👧 family, flags 🇫🇷🇩🇪, keycap 1️⃣, ❤️ love.",
  "Decomposed: e\u0301cole, cafe\u0301, n\u0303, A\u030a and precomposed école, café.",
  "Soft hy\u00adphen, no\u00a0break, narrow\u202fspace, zero\u200bwidth, joiner\u2060here, bom\ufeffx.",
  "IL-6 (interleukin‐6) ≥ 2.5 µg/mL ± 0.3; TNF-α/β; CD4⁺ T cells; 10⁻⁶ M; Å; ﬁbrosis; x₂.",
  "Numbers 1,000,000.50 and 3.14159; version 2.0.1; time 12:30; a.b.c; l’homme; don't.",
  "Mixed: αβγ日本δεζ, abcไทยdef, 漢字abc, abc한국어, дом東京, emoji😀word.",
  "under_score __init__ _ _a a_ snake_case_name ‿tie⁀",
  "Fullwidth ＡＢＣ１２３，ｄｅｆ．ｇ and halfwidth ｶﾀｶﾅ.",
  "Math 𝐀𝐁𝐂 𝑥𝑦𝑧, ⓐⓑⓒ, ①②③, ℃ ℉ Ω ℮, ½ ¾.",
  "Tabs\tand\nnewlines\r\nand\u2028line\u2029separators\u0085here.",
  "\u0301leading mark, \u200dleading joiner, trailing mark\u0301 ,\u0301a",
];

describe("scanWords / createTokenizer", () => {
  it("gives the segmenter's terms on every SciFact abstract and claim", async () => {
    const tokenize = createTokenizer();
    const reference = segmenterTerms();
    const texts = [
      ...jsonl("corpus.jsonl").map((d) => `${d.title} ${d.text}`),
      ...jsonl("queries.jsonl").map((q) => q.text!),
    ];
    expect(texts.length).toBe(5183 + 809);
    const differ: string[] = [];
    for (const [i, t] of texts.entries()) {
      if (JSON.stringify(tokenize(t)) !== JSON.stringify(reference(t))) differ.push(t);
      if (i % 500 === 0) await yieldToEventLoop();
    }
    expect(differ).toEqual([]);
  }, 300_000);

  for (const locale of ["en", "fr", "de", "tr", "sv", "ja", "zh", "th", "ar"]) {
    it(`gives the segmenter's terms on multilingual samples (${locale})`, () => {
      const tokenize = createTokenizer({ locale });
      const reference = segmenterTerms(locale);
      for (const sample of SAMPLES) expect(tokenize(sample), sample).toEqual(reference(sample));
      expect(tokenize(SAMPLES.join(" "))).toEqual(reference(SAMPLES.join(" ")));
    });
  }

  it("gives the segmenter's word-like segments for every BMP code point in context", async () => {
    const segmenter = new Intl.Segmenter("en", { granularity: "word" });
    const viaSegmenter = (text: string, onWord: (w: string) => void) => {
      for (const s of segmenter.segment(text)) if (s.isWordLike) onWord(s.segment);
    };
    const scan = (text: string) => {
      const out: string[] = [];
      scanWords(text, viaSegmenter, (w) => out.push(w));
      return out.join("|");
    };
    const reference = (text: string) => {
      const out: string[] = [];
      viaSegmenter(text, (w) => out.push(w));
      return out.join("|");
    };
    const differ: string[] = [];
    for (let cp = 0x80; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (cp % 2048 === 0) await yieldToEventLoop();
      const c = String.fromCharCode(cp);
      for (const t of [`a${c}b`, `1${c}2`, `_${c}_`, `${c} a\u0301${c}b`]) {
        const text = t.toLocaleLowerCase("en");
        if (scan(text) !== reference(text)) {
          differ.push(`U+${cp.toString(16)} ${JSON.stringify(t)}`);
          break;
        }
      }
    }
    expect(differ).toEqual([]);
  }, 300_000);
});
