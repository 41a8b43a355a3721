/**
 * Language of a Markdown document, detected with ELD, the Efficient Language Detector (n-gram
 * profiles of 60 languages, https://github.com/nitotm/efficient-language-detector-js, medium
 * database) on its prose: fenced and inline code, HTML tags, link targets, URLs and Markdown
 * punctuation are removed first, so that code samples in an English README do not count.
 */
import { eld } from "eld/medium";

/** What {@link detectLanguage} returns when a text has too little prose, or no reliable answer. */
export const UNDETERMINED = "und";

/** Prose characters needed before a language is detected (shorter texts are {@link UNDETERMINED}). */
const MIN_PROSE = 40;

/** The prose of a Markdown document: code, markup, URLs and link targets removed, whitespace folded. */
export function proseOf(markdown: string): string {
  return markdown
    .replace(/^(```|~~~)[\s\S]*?^\1.*$/gm, " ") // fenced code blocks
    .replace(/^(?: {4}|\t).*$/gm, " ") // indented code
    .replace(/`[^`\n]*`/g, " ") // inline code
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<[^>]+>/g, " ") // HTML tags
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: keep the label
    .replace(/^\s*\[[^\]]+\]:\s*\S+.*$/gm, " ") // reference-style link definitions
    .replace(/\bhttps?:\/\/\S+/g, " ")
    .replace(/[#>*_|~=[\]{}()-]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * ISO 639-1 code of the main language of a Markdown document (`"en"`, `"zh"`, `"ja"`, `"ru"`, …),
 * or {@link UNDETERMINED} (`"und"`) when it has fewer than 40 characters of prose or ELD finds no
 * reliable answer.
 */
export function detectLanguage(markdown: string): string {
  const prose = proseOf(markdown);
  if (prose.length < MIN_PROSE) return UNDETERMINED;
  const result = eld.detect(prose);
  return result.language && result.isReliable() ? result.language : UNDETERMINED;
}

/** Documents kept for indexing and the count skipped per language. */
export interface LanguageSelection<D> {
  kept: D[];
  /** language code → documents skipped */
  skipped: Map<string, number>;
}

/**
 * Keeps the documents whose `metadata.language` is in `languages` (`"all"` keeps every one).
 */
export function selectLanguages<D extends { metadata?: Record<string, unknown> }>(
  docs: D[],
  languages: string[] | "all",
): LanguageSelection<D> {
  if (languages === "all") return { kept: docs, skipped: new Map() };
  const wanted = new Set(languages);
  const kept: D[] = [];
  const skipped = new Map<string, number>();
  for (const d of docs) {
    const language = String(d.metadata?.language ?? UNDETERMINED);
    if (wanted.has(language)) kept.push(d);
    else skipped.set(language, (skipped.get(language) ?? 0) + 1);
  }
  return { kept, skipped };
}

/** One line saying how many documents were skipped, in which languages, and how to include them. */
export function skippedLine(
  selection: LanguageSelection<unknown>,
  languages: string[] | "all",
): string | undefined {
  const total = [...selection.skipped.values()].reduce((a, b) => a + b, 0);
  if (!total || languages === "all") return undefined;
  const by = [...selection.skipped.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([l, n]) => `${l} ${n}`)
    .join(", ");
  const of = selection.kept.length + total;
  return `Skipped ${total} of ${of} Markdown files not detected as ${languages.join("/")} (${by}); pass --languages all (or e.g. --languages ${[...languages, ...selection.skipped.keys()].slice(0, 3).join(",")}) to index them.`;
}
