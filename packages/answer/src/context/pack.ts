import { intlSentenceSplitter, type SentenceSplitter, type Tokenizer } from "@ragloom/compression";
import type { ScoredDocument } from "@ragloom/core";
import { ValidationError } from "@ragloom/core";
import type { Source } from "../types.js";

/** How {@link packSources} fills the budget. */
export type PackUnit = "document" | "sentence";

/** Options of {@link packSources}. */
export interface PackOptions {
  /** Upper bound on the tokens of the whole context block (every source block and separator). */
  maxTokens: number;
  /** The tokenizer the budget is expressed in (the model's own when it has one). */
  tokenizer: Tokenizer;
  /**
   * `document`: whole documents only, best first, skipping any that no longer fits.
   * `sentence`: as `document`, but a document that does not fit whole contributes its leading
   * sentences that fit (marked `truncated`). @default "sentence"
   */
  unit?: PackUnit;
  /** Sentence splitter of `unit: "sentence"`. @default intlSentenceSplitter("en") */
  splitter?: SentenceSplitter;
  /** Formats one source block of the context. @default {@link formatSource} */
  format?: (source: Pick<Source, "n" | "id" | "title" | "text" | "metadata">) => string;
}

/** What {@link packSources} returns. */
export interface PackedContext {
  /** Numbered sources, best first, `n` = 1 … sources.length. */
  sources: Source[];
  /** The context block given to the model: the formatted sources joined by a blank line. */
  context: string;
  /** Tokens of `context` (≤ `maxTokens`). */
  tokens: number;
  /** Ids of retrieved documents that did not fit at all. */
  left: string[];
}

/** Separator between two source blocks. */
export const SOURCE_SEPARATOR = "\n\n";

/** Default source block: `[n] title` (or the id when there is no title) on one line, then the text. */
export function formatSource(source: Pick<Source, "n" | "id" | "title" | "text">): string {
  return `[${source.n}] ${source.title ?? source.id}\n${source.text}`;
}

/**
 * Packs retrieved documents, best first, into a context block of at most `maxTokens` tokens of
 * `tokenizer`, numbered as sources `[1]` … `[n]` in the order they were packed. Greedy in rank
 * order; the count of the final block is checked, and the last source is shortened or dropped
 * until it fits, so the bound holds exactly for the joined text.
 * @throws ValidationError when `maxTokens` is not an integer ≥ 1.
 */
export function packSources(documents: ScoredDocument[], options: PackOptions): PackedContext {
  const { maxTokens, tokenizer } = options;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new ValidationError(`maxContextTokens must be an integer >= 1, got ${maxTokens}`);
  }
  const unit = options.unit ?? "sentence";
  if (unit !== "document" && unit !== "sentence") throw new ValidationError(`unknown pack unit ${unit}`);
  const split = options.splitter ?? intlSentenceSplitter("en");
  const format = options.format ?? formatSource;
  const sepTokens = tokenizer.count(SOURCE_SEPARATOR);
  const sources: Source[] = [];
  const left: string[] = [];
  let used = 0;

  const block = (doc: ScoredDocument, n: number, text: string) => {
    const title = typeof doc.metadata?.title === "string" ? doc.metadata.title : undefined;
    const s = {
      n,
      id: doc.id,
      ...(title !== undefined ? { title } : {}),
      text,
      metadata: doc.metadata ?? {},
    };
    const formatted = format(s);
    return { s, formatted, tokens: tokenizer.count(formatted) };
  };

  for (const doc of documents) {
    const n = sources.length + 1;
    const extra = sources.length > 0 ? sepTokens : 0;
    const whole = block(doc, n, doc.text);
    let chosen: ReturnType<typeof block> | undefined;
    if (used + extra + whole.tokens <= maxTokens) chosen = whole;
    else if (unit === "sentence") {
      const sentences = split(doc.text);
      let lo = 0;
      // the longest prefix of sentences that fits (counts grow with the prefix)
      let hi = sentences.length - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        const b = block(doc, n, sentences.slice(0, mid).join(" "));
        if (used + extra + b.tokens <= maxTokens) lo = mid;
        else hi = mid - 1;
      }
      if (lo > 0) chosen = block(doc, n, sentences.slice(0, lo).join(" "));
    }
    if (!chosen) {
      left.push(doc.id);
      continue;
    }
    used += extra + chosen.tokens;
    sources.push({
      ...chosen.s,
      truncated: chosen.s.text.length < doc.text.length,
      tokens: chosen.tokens,
      score: doc.score,
    });
  }

  let context = sources.map((s) => format(s)).join(SOURCE_SEPARATOR);
  let tokens = sources.length ? tokenizer.count(context) : 0;
  while (tokens > maxTokens && sources.length) {
    // token counts of joined text can exceed the sum of the parts (merges across a boundary)
    left.push(sources.pop()!.id);
    context = sources.map((s) => format(s)).join(SOURCE_SEPARATOR);
    tokens = sources.length ? tokenizer.count(context) : 0;
  }
  return { sources, context, tokens, left };
}
