/**
 * Normalises text for quote matching: Unicode NFKC, lower case, and every run of characters that
 * are not letters or digits folded into one space (so punctuation, quotation marks, hyphenation
 * and line breaks do not decide a match).
 */
export function normalizeForQuote(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * Whether a quoted span occurs in `text`: after {@link normalizeForQuote}, each piece of the quote
 * between ellipses (`...`, `…`) must occur in `text`, in order. A quote with no letter or digit
 * never occurs.
 */
export function quoteOccurs(quote: string, text: string): boolean {
  const pieces = quote
    .split(/\.{3,}|…/)
    .map(normalizeForQuote)
    .filter((p) => p.length > 0);
  if (pieces.length === 0) return false;
  const haystack = ` ${normalizeForQuote(text)} `;
  let from = 0;
  for (const piece of pieces) {
    const at = haystack.indexOf(` ${piece} `, from);
    if (at < 0) return false;
    from = at + piece.length + 1;
  }
  return true;
}

// a quoted span ending the text, optionally followed by punctuation and earlier markers: `"x" [1]`
const TRAILING_QUOTE = /(?:"([^"\n]{1,500})"|“([^”\n]{1,500})”)[\s,.;:]*(?:\[[^\]\n]{1,40}\][\s,.;:]*)*$/u;

/** The quoted span (without quotation marks) that ends `before`, if any. */
export function quoteBefore(before: string): string | undefined {
  const m = TRAILING_QUOTE.exec(before.slice(-700));
  return m ? (m[1] ?? m[2]) : undefined;
}
