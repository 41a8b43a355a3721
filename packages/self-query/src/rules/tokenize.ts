/** One token of a request, with its character offsets in the original text. */
export interface Token {
  /** Original spelling. */
  text: string;
  /** Lower case, curly quotes unified. */
  low: string;
  start: number;
  end: number;
}

// ISO dates, numbers with thousands separators, plain numbers with a letter suffix (10k, 90s, 1st),
// '90s, words joined by . - ' (node.js, sci-fi, don't) with trailing +/# (c++, c#), then any other symbol.
const TOKEN =
  /\d{4}-\d{1,2}-\d{1,2}|\d{1,3}(?:,\d{3})+(?:\.\d+)?[a-z]*|\d+(?:\.\d+)?(?:['’]s|[a-z]*)|['’]\d\d(?:['’]?s)|[\p{L}\p{N}]+(?:[.\-'’][\p{L}\p{N}]+)*[+#]*|[<>≤≥=!]=?|[^\s\p{L}\p{N}]/giu;

/** Splits a request into tokens (words, numbers, symbols). Linear in the input length. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const t = m[0];
    out.push({
      text: t,
      low: t.toLowerCase().replace(/[’‘`]/g, "'"),
      start: m.index,
      end: m.index + t.length,
    });
  }
  return out;
}

/** Light English stemmer for cue words and plurals: `libraries`→`library`, `guides`→`guide`. */
export function stem(word: string): string {
  const w = word.toLowerCase().replace(/'s$/, "");
  if (w.length <= 3) return w;
  if (w.endsWith("ies") && w.length > 4) return `${w.slice(0, -3)}y`;
  if (/(sses|xes|ches|shes|zes)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s") && !w.endsWith("ss") && !w.endsWith("us") && !w.endsWith("is")) return w.slice(0, -1);
  return w;
}

/** Key used to compare phrases regardless of spaces, hyphens, dots and apostrophes. */
export function phraseKey(words: string[]): string {
  return words
    .join("")
    .toLowerCase()
    .replace(/[\s\-.'’_]/g, "");
}

/** Words of an attribute name: `published_at` / `publishedAt` → `["published", "at"]`. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .split(/[\s_.-]+/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);
}
