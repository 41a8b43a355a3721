/**
 * UAX #29 word segmentation of ASCII text by a scan over char codes (no regular expression, no
 * string per word): letters, digits and `_` join (WB5, WB8-WB10, WB13a/b); `:` `.` `'` join
 * letters (WB6/WB7: MidLetter, MidNumLet, Single_Quote); `,` `;` `.` `'` join digits
 * (WB11/WB12: MidNum, MidNumLet); a lone `_` is not word-like. The same segments as
 * `Intl.Segmenter`'s word-like ones on ASCII input, and as the regular expression
 * `[A-Za-z0-9_]+(?:(?:(?<=[A-Za-z])[:.'](?=[A-Za-z])|(?<=[0-9])[,;.'](?=[0-9]))[A-Za-z0-9_]+)*`.
 */

/** Receives the words of a text in order, either as a range of a string or as a string. */
export interface WordSink {
  /** The word `text.slice(start, end)`; `hash` is its `hashRange` (FNV-1a of its code units). */
  range(text: string, start: number, end: number, hash: number): void;
  /** A word given as a string. */
  word(word: string): void;
}

const WORD = 1;
const LETTER = 2;
const DIGIT = 4;
const MID_LETTER = 8;
const MID_NUM = 16;

/** Character classes of the ASCII range, as bit sets. */
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z]/.test(ch)) CLASS[c] = WORD | LETTER;
  else if (/[0-9]/.test(ch)) CLASS[c] = WORD | DIGIT;
  else if (ch === "_") CLASS[c] = WORD;
  if (":.'".includes(ch)) CLASS[c]! |= MID_LETTER;
  if (",;.'".includes(ch)) CLASS[c]! |= MID_NUM;
}

/** Whether an ASCII char code is a letter, a digit or `_`. */
export const isAsciiWordChar = (c: number): boolean => (CLASS[c]! & WORD) !== 0;

/** Whether an ASCII char code is never part of a word nor joins words (not a word char nor Mid*). */
export const isAsciiSeparator = (c: number): boolean => CLASS[c] === 0;

/**
 * Calls `sink.range` for each word-like segment of `text[from, to)`, which must hold only
 * ASCII characters (and be bounded by the text's ends or by whitespace).
 */
export function scanAsciiWords(text: string, from: number, to: number, sink: WordSink): void {
  let i = from;
  while (i < to) {
    let c = text.charCodeAt(i);
    if ((CLASS[c]! & WORD) === 0) {
      i++;
      continue;
    }
    const start = i;
    // FNV-1a as in hashRange, computed on the way
    let h = 0x811c9dc5;
    for (;;) {
      for (; i < to; i++) {
        c = text.charCodeAt(i);
        if ((CLASS[c]! & WORD) === 0) break;
        h = Math.imul(h ^ c, 0x01000193);
      }
      if (i + 1 >= to) break;
      const mid = CLASS[c]!;
      if ((mid & (MID_LETTER | MID_NUM)) === 0) break;
      const before = CLASS[text.charCodeAt(i - 1)]!;
      const after = CLASS[text.charCodeAt(i + 1)]!;
      const joins =
        ((mid & MID_LETTER) !== 0 && (before & after & LETTER) !== 0) ||
        ((mid & MID_NUM) !== 0 && (before & after & DIGIT) !== 0);
      if (!joins) break;
      h = Math.imul(h ^ c, 0x01000193);
      i++;
    }
    if (i - start !== 1 || text.charCodeAt(start) !== 95) sink.range(text, start, i, h | 0);
  }
}
