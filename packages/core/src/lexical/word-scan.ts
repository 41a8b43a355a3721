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
const UNMODELLED = new RegExp(
  String.raw`[^\u0000-\u007F${LETTER}${EXTEND}${CONNECTOR}${MID_LETTER}${MID_NUM}${OTHER}]`,
  "gv",
);

/** ASCII whitespace: UAX #29 breaks before it in every context. */
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/** Calls `onWord` for each word-like segment of `text` in the modelled repertoire. */
function scanModelled(text: string, onWord: (word: string) => void): void {
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const c = word.charCodeAt(0);
    if ((c === 95 || c > 127) && LONE_CONNECTOR.test(word)) continue;
    onWord(word);
  }
}

/**
 * Calls `onWord` for each word-like UAX #29 segment of `text`, in order: the regular expression
 * for the modelled repertoire, `segment` (e.g. `Intl.Segmenter`) for each whitespace-delimited
 * run that holds another character.
 */
export function scanWords(
  text: string,
  segment: (run: string, onWord: (word: string) => void) => void,
  onWord: (word: string) => void,
): void {
  UNMODELLED.lastIndex = 0;
  let done = 0;
  for (let m = UNMODELLED.exec(text); m !== null; m = UNMODELLED.exec(text)) {
    let start = m.index;
    while (start > done && !isSpace(text.charCodeAt(start - 1))) start--;
    while (start > done && isSpace(text.charCodeAt(start - 1))) start--;
    let end = m.index + m[0].length;
    while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
    if (start > done) scanModelled(text.slice(done, start), onWord);
    segment(text.slice(start, end), onWord);
    done = end;
    UNMODELLED.lastIndex = end;
  }
  scanModelled(done === 0 ? text : text.slice(done), onWord);
}
