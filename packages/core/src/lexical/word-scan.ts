/**
 * Word segmentation without `Intl.Segmenter` for text in scripts that separate words with spaces.
 *
 * A regular expression implements the UAX #29 word-boundary rules (Unicode Standard Annex #29,
 * "Unicode Text Segmentation", §4.1) for a restricted repertoire: letters of the Latin, Greek,
 * Cyrillic, Armenian and Georgian scripts and U+00B5 (ALetter), ASCII digits (Numeric), combining
 * marks and a few format characters (Extend/Format, WB4), connector punctuation and U+202F
 * (ExtendNumLet, WB13a/b), the MidLetter/MidNumLet/MidNum/Single_Quote characters of these scripts
 * (WB6/7, WB11/12), and common-script punctuation, symbols and spaces (Other). A segment is
 * word-like, as for `Intl.Segmenter`'s `isWordLike` (ICU's rule status), unless it is a single
 * connector (with its marks).
 *
 * Every other character (CJK, Thai and other scripts without spaces, Hebrew, Katakana, emoji,
 * zero-width joiners, regional indicators, other digits, ...) is left to `Intl.Segmenter`, on just
 * the whitespace-delimited run that holds it: UAX #29 always breaks before ASCII whitespace, and
 * the run starts with the whitespace before it, so a run segments as it does in the whole text.
 */
import { isAsciiSeparator, isAsciiWordChar, scanAsciiWords, type WordSink } from "./ascii-words.js";
import { hashRange } from "./term-dictionary.js";

const SCRIPTS = String.raw`\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Armenian}\p{Script=Georgian}`;
/** ALetter (WB): letters of {@link SCRIPTS} and U+00B5 MICRO SIGN (a common-script letter). */
const LETTER = String.raw`[[\p{L}&&[${SCRIPTS}]]\u00B5]`;
/** Extend and Format (WB4): marks of these scripts or inherited, soft hyphen, direction marks, word joiners. */
const EXTEND = String.raw`[[\p{M}&&[\p{Script=Inherited}${SCRIPTS}]]\u00AD\u200E\u200F\u2060-\u2064\uFEFF]`;
/** ExtendNumLet (WB13a/b): connector punctuation and U+202F NARROW NO-BREAK SPACE. */
const CONNECTOR = String.raw`[\p{Pc}\u202F]`;
/** MidLetter, MidNumLet and Single_Quote: join letters (WB6/7). */
const MID_LETTER = String.raw`[:\u00B7\u0387\u2027.'\u2018\u2019\u2024]`;
/** MidNum, MidNumLet and Single_Quote: join digits (WB11/12). */
const MID_NUM = String.raw`[,;\u037E\u2044.'\u2018\u2019\u2024]`;
/**
 * Other (WB): common-script punctuation, symbols, spaces and controls that are none of the above
 * (U+00B8 CEDILLA and the emoji modifiers are not: ICU joins them to letters).
 */
const OTHER = String.raw`[[\p{Script=Common}&&[\p{P}\p{S}\p{Z}\p{No}\p{Cc}]]--[\p{Alphabetic}\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\p{Pc}\u00B8\u02B0-\u02FF\u0589\u05F3\u05F4\u060C\u060D\u066C\u07F8\u3000-\u33FF\uA700-\uA7FF\uAB30-\uAB6F\uFE00-\uFFFF]]`;

const UNIT = `(?:(?:${LETTER}|[0-9]|${CONNECTOR})${EXTEND}*)`;
const JOIN_LETTERS = `(?<=${LETTER}${EXTEND}*)${MID_LETTER}${EXTEND}*(?=${LETTER})`;
const JOIN_DIGITS = `(?<=[0-9]${EXTEND}*)${MID_NUM}${EXTEND}*(?=[0-9])`;

/** One UAX #29 word segment of the modelled repertoire (word-like unless {@link LONE_CONNECTOR}). */
const WORD = new RegExp(`${UNIT}+(?:(?:${JOIN_LETTERS}|${JOIN_DIGITS})${UNIT}+)*`, "gv");
/** A segment of one connector and no letter or digit: not word-like (two connectors are, WB13a). */
const LONE_CONNECTOR = new RegExp(`^${CONNECTOR}${EXTEND}*$`, "v");
/** A character outside the modelled repertoire. */
const UNMODELLED = String.raw`[^\u0000-\u007F${LETTER}${EXTEND}${CONNECTOR}${MID_LETTER}${MID_NUM}${OTHER}]`;

/**
 * Modelled characters that are never part of a word and never join the words beside them:
 * Other (WB) except the Mid* characters and U+202F, as the regular expression treats them.
 */
const SEPARATOR = String.raw`[${OTHER}--[${MID_LETTER}${MID_NUM}${CONNECTOR}${LETTER}${EXTEND}]]`;

const KIND_UNMODELLED = 1;
const KIND_SEPARATOR = 2;
const KIND_LETTER = 3;
/** Extend, Format, connectors and Mid* characters outside ASCII. */
const KIND_JOINING = 4;

const IS_UNMODELLED = new RegExp(`^${UNMODELLED}$`, "v");
const IS_SEPARATOR = new RegExp(`^${SEPARATOR}$`, "v");
const IS_LETTER = new RegExp(`^${LETTER}$`, "v");
/** Kind of each BMP code unit seen so far (0: not classified yet). */
const BMP_KINDS = new Uint8Array(0x10000);
const ASTRAL_KINDS = new Map<number, number>();

function classify(ch: string): number {
  if (IS_UNMODELLED.test(ch)) return KIND_UNMODELLED;
  if (IS_SEPARATOR.test(ch)) return KIND_SEPARATOR;
  return IS_LETTER.test(ch) ? KIND_LETTER : KIND_JOINING;
}

/** The kind of the (non-ASCII) code point `cp`; a lone surrogate is unmodelled. */
function kindOf(cp: number): number {
  if (cp < 0x10000) {
    const known = BMP_KINDS[cp]!;
    if (known !== 0) return known;
    const kind = classify(String.fromCharCode(cp));
    BMP_KINDS[cp] = kind;
    return kind;
  }
  const known = ASTRAL_KINDS.get(cp);
  if (known !== undefined) return known;
  const kind = classify(String.fromCodePoint(cp));
  ASTRAL_KINDS.set(cp, kind);
  return kind;
}

/** The code point at `i` (a surrogate pair read whole). */
function codePointAt(text: string, i: number): number {
  return text.codePointAt(i)!;
}

/** ASCII whitespace: UAX #29 breaks before it in every context. */
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/** Calls `sink.word` for each word-like segment of `text`, all in the modelled repertoire. */
function matchModelled(text: string, sink: WordSink): void {
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const c = word.charCodeAt(0);
    if ((c === 95 || c > 127) && LONE_CONNECTOR.test(word)) continue;
    sink.word(word);
  }
}

/** Whether `text[from, to)` holds a character outside the modelled repertoire. */
function hasUnmodelled(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (text.charCodeAt(i) < 128) continue;
    const cp = codePointAt(text, i);
    if (kindOf(cp) === KIND_UNMODELLED) return true;
    if (cp > 0xffff) i++;
  }
  return false;
}

/**
 * The word-like segments of a whitespace-delimited chunk `text[from, to)` of modelled characters
 * with some outside ASCII, as the regular expression finds them. The chunk is cut at separators
 * (ASCII punctuation and symbols other than the Mid* ones, and {@link SEPARATOR}), which no
 * segment spans and no rule looks across; a piece of ASCII goes to {@link scanAsciiWords}, a
 * piece of only letters and ASCII letters, digits and `_` is one word, any other piece goes to
 * the regular expression.
 */
function scanPieces(text: string, from: number, to: number, sink: WordSink): void {
  let piece = from;
  let nonAscii = false;
  let joining = false;
  for (let i = from; i <= to; ) {
    let separator = i === to;
    let width = 1;
    if (!separator) {
      const c = text.charCodeAt(i);
      if (c < 128) {
        if (isAsciiSeparator(c)) separator = true;
        else if (!isAsciiWordChar(c)) joining = true;
      } else {
        const cp = codePointAt(text, i);
        if (cp > 0xffff) width = 2;
        const kind = kindOf(cp);
        if (kind === KIND_SEPARATOR) separator = true;
        else {
          nonAscii = true;
          if (kind !== KIND_LETTER) joining = true;
        }
      }
    }
    if (separator) {
      if (i > piece) {
        if (!nonAscii) scanAsciiWords(text, piece, i, sink);
        else if (!joining) sink.range(text, piece, i, hashRange(text, piece, i));
        else matchModelled(text.slice(piece, i), sink);
      }
      piece = i + width;
      nonAscii = false;
      joining = false;
    }
    i += width;
  }
}

/** Word segmentation of a whitespace-delimited run, e.g. by `Intl.Segmenter`. */
export type RunSegmenter = (run: string, onWord: (word: string) => void) => void;

/**
 * Passes each word-like UAX #29 segment of `text` to `sink`, in order: the scans of the
 * modelled repertoire, `segment` (e.g. `Intl.Segmenter`) for each whitespace-delimited run
 * that holds another character.
 */
export function scanWordsInto(text: string, segment: RunSegmenter, sink: WordSink): void {
  const n = text.length;
  let previousEnd = 0;
  let onWord: ((word: string) => void) | undefined;
  for (let i = 0; i < n; ) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    let ascii = true;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) break;
      if (c > 127) ascii = false;
    }
    if (ascii) scanAsciiWords(text, start, i, sink);
    else if (!hasUnmodelled(text, start, i)) scanPieces(text, start, i, sink);
    else {
      // the run starts after the previous chunk, so with the whitespace before this one
      onWord ??= (word) => sink.word(word);
      segment(text.slice(previousEnd, i), onWord);
    }
    previousEnd = i;
  }
}

/**
 * Calls `onWord` for each word-like UAX #29 segment of `text`, in order: the regular expression
 * for the modelled repertoire, `segment` (e.g. `Intl.Segmenter`) for each whitespace-delimited
 * run that holds another character.
 */
export function scanWords(text: string, segment: RunSegmenter, onWord: (word: string) => void): void {
  scanWordsInto(text, segment, {
    range: (t: string, start: number, end: number) => onWord(t.slice(start, end)),
    word: onWord,
  });
}
