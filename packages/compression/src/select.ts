import { ValidationError } from "@ragloom/core";
import { wordTokenizer } from "./tokenizers.js";
import type { Tokenizer } from "./types.js";

/**
 * Which sentences to keep, given a score per sentence (higher is better):
 * - `threshold`: every sentence whose score is >= `threshold` (cosine similarity in [-1, 1] for
 *   embedding scores);
 * - `margin`: every sentence whose score is at least the best score of its scope minus `margin`
 *   (>= 0): a budget that adapts to the query, small when one document stands out, larger when
 *   several are as relevant;
 * - `fraction`: the best `ceil(fraction * n)` sentences of each scope (`fraction` in (0, 1]);
 * - `count`: the best `count` sentences of each scope (an integer >= 1);
 * - `budget`: the best sentences, greedily, while the kept text of each scope fits in
 *   `maxTokens` tokens of `tokenizer`; a sentence is never cut, a sentence that does not fit is
 *   skipped and smaller ones after it may still fit;
 * - `ratio`: like `budget`, with the budget set to `ratio` (in (0, 1]) times the tokens of all
 *   sentences of the scope, i.e. a target compression rate (as LLMLingua's `rate`, Jiang et al.,
 *   EMNLP 2023): `ratio: 0.5` keeps about half the tokens, the most relevant half. Counted in
 *   words unless a `tokenizer` is given.
 *
 * `budget` is in the units of a tokenizer you name: `wordTokenizer`, or the encoding of your LLM
 * (`await loadTiktokenTokenizer("cl100k_base")`), or `embedderTokenizer(embedder)`.
 */
export type SentenceSelection =
  | { by: "threshold"; threshold: number }
  | { by: "margin"; margin: number }
  | { by: "fraction"; fraction: number }
  | { by: "count"; count: number }
  | { by: "budget"; maxTokens: number; tokenizer: Tokenizer }
  | {
      by: "ratio";
      ratio: number;
      /** What the ratio counts. @default wordTokenizer (words) */
      tokenizer?: Tokenizer;
    };

const TOKENIZER_HINT =
  'e.g. `tokenizer: wordTokenizer` (words) or `tokenizer: await loadTiktokenTokenizer("cl100k_base")` (OpenAI tokens)';

/** Over which sentences `margin`, `fraction`, `count`, `budget` and `ratio` apply: each document alone, or all together. */
export type SelectionScope = "document" | "all";

/** Validates a {@link SentenceSelection}; throws ValidationError. */
export function validateSelection(s: SentenceSelection): void {
  const bad = (m: string) => {
    throw new ValidationError(`select: ${m}`);
  };
  if (!s || typeof s !== "object") bad("must be an object with `by`");
  switch (s.by) {
    case "threshold":
      if (!Number.isFinite(s.threshold)) bad("threshold must be a finite number");
      break;
    case "margin":
      if (!(s.margin >= 0 && Number.isFinite(s.margin))) bad("margin must be a finite number >= 0");
      break;
    case "fraction":
      if (!(s.fraction > 0 && s.fraction <= 1)) bad("fraction must be in (0, 1]");
      break;
    case "count":
      if (!Number.isInteger(s.count) || s.count < 1) bad("count must be an integer >= 1");
      break;
    case "budget":
      if (!Number.isInteger(s.maxTokens) || s.maxTokens < 1) bad("maxTokens must be an integer >= 1");
      if (!s.tokenizer || typeof s.tokenizer.count !== "function") {
        bad(`budget needs the tokenizer its maxTokens are counted in, ${TOKENIZER_HINT}`);
      }
      break;
    case "ratio":
      if (!(s.ratio > 0 && s.ratio <= 1)) bad("ratio must be in (0, 1]");
      if (s.tokenizer !== undefined && typeof s.tokenizer?.count !== "function") {
        bad(`ratio: tokenizer must have count(text), ${TOKENIZER_HINT}`);
      }
      break;
    default:
      bad(`unknown selection ${(s as { by?: unknown }).by}`);
  }
}

/** The tokenizer a `budget` or `ratio` selection counts with (`ratio` defaults to words). */
export function selectionTokenizer(s: SentenceSelection): Tokenizer | undefined {
  if (s.by === "budget") return s.tokenizer;
  if (s.by === "ratio") return s.tokenizer ?? wordTokenizer;
  return undefined;
}

/** Validates `neighbors` (integer >= 0). */
export function validateNeighbors(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new ValidationError("neighbors must be an integer >= 0");
}

interface Candidate {
  doc: number;
  index: number;
  score: number;
}

/** Sentence indices `index - n .. index + n` that exist in a document of `size` sentences. */
function window(index: number, n: number, size: number): number[] {
  const out = [index];
  for (let d = 1; d <= n; d++) {
    if (index - d >= 0) out.push(index - d);
    if (index + d < size) out.push(index + d);
  }
  return out;
}

/**
 * Chooses sentences to keep.
 * @param scores - `scores[d][i]`: score of sentence `i` of document `d`.
 * @param texts - `texts[d][i]`: its text (used by `budget`).
 * @param options.measure - for `budget` and `ratio`: the real token count of the text rebuilt from
 *   the kept sentences of one document, used to enforce the budget exactly after the greedy packing
 *   (joining sentences may change counts by a token or so).
 * @returns `kept[d]`: sorted indices of the kept sentences of document `d`, and the sentences a
 *   budget could never hold (`tooLong`).
 */
export function selectSentences(
  scores: number[][],
  texts: string[][],
  options: {
    select: SentenceSelection;
    scope: SelectionScope;
    neighbors: number;
    measure?: (doc: number, kept: Set<number>) => number;
  },
): { kept: number[][]; tooLong: Array<{ doc: number; index: number }> } {
  const { select, scope, neighbors } = options;
  const kept = scores.map(() => new Set<number>());
  const tooLong: Array<{ doc: number; index: number }> = [];
  const groups: Candidate[][] =
    scope === "document"
      ? scores.map((s, doc) => s.map((score, index) => ({ doc, index, score })))
      : [scores.flatMap((s, doc) => s.map((score, index) => ({ doc, index, score })))];

  for (const group of groups) {
    const ranked = [...group].sort((a, b) => b.score - a.score || a.doc - b.doc || a.index - b.index);
    if (select.by !== "budget" && select.by !== "ratio") {
      let chosen: Candidate[];
      if (select.by === "threshold") chosen = ranked.filter((c) => c.score >= select.threshold);
      else if (select.by === "margin") {
        const floor = (ranked[0]?.score ?? 0) - select.margin;
        chosen = ranked.filter((c) => c.score >= floor);
      } else if (select.by === "fraction")
        chosen = ranked.slice(0, Math.ceil(select.fraction * ranked.length));
      else chosen = ranked.slice(0, select.count);
      for (const c of chosen) {
        for (const i of window(c.index, neighbors, scores[c.doc]!.length)) kept[c.doc]!.add(i);
      }
      continue;
    }
    // budget: greedy packing in score order (a knapsack heuristic), then exact enforcement.
    const tokenizer = selectionTokenizer(select)!;
    const costs = new Map<string, number>();
    const cost = (doc: number, i: number) => {
      const key = `${doc}:${i}`;
      let c = costs.get(key);
      if (c === undefined) {
        c = tokenizer.count(texts[doc]![i]!) + (tokenizer === wordTokenizer ? 0 : 1);
        costs.set(key, c);
      }
      return c;
    };
    const limit =
      select.by === "budget"
        ? select.maxTokens
        : Math.floor(select.ratio * group.reduce((s, c) => s + cost(c.doc, c.index), 0));
    const groupKept = new Map<number, Set<number>>();
    const order: Candidate[] = [];
    let used = 0;
    for (const c of ranked) {
      const set = groupKept.get(c.doc) ?? new Set<number>();
      if (set.has(c.index)) continue;
      const own = cost(c.doc, c.index);
      if (own > limit) {
        tooLong.push({ doc: c.doc, index: c.index });
        continue;
      }
      const extra = window(c.index, neighbors, scores[c.doc]!.length).filter((i) => !set.has(i));
      const extraCost = extra.reduce((s, i) => s + cost(c.doc, i), 0);
      const add = used + extraCost <= limit ? extra : used + own <= limit ? [c.index] : [];
      for (const i of add) {
        set.add(i);
        used += cost(c.doc, i);
        order.push({ doc: c.doc, index: i, score: c.score });
      }
      if (add.length) groupKept.set(c.doc, set);
    }
    if (options.measure) {
      // Drop the latest-added (lowest-ranked) sentences until the real count fits.
      const measure = options.measure;
      const counts = new Map<number, number>();
      let total = 0;
      for (const [doc, set] of groupKept) {
        const n = set.size ? measure(doc, set) : 0;
        counts.set(doc, n);
        total += n;
      }
      while (order.length && total > limit) {
        const last = order.pop()!;
        const set = groupKept.get(last.doc)!;
        set.delete(last.index);
        const n = set.size ? measure(last.doc, set) : 0;
        total += n - counts.get(last.doc)!;
        counts.set(last.doc, n);
      }
    }
    for (const [doc, set] of groupKept) for (const i of set) kept[doc]!.add(i);
  }
  return { kept: kept.map((s) => [...s].sort((a, b) => a - b)), tooLong };
}
