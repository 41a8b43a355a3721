import type { Filter, FilterScalar } from "@ragloom/core";
import type { CompiledSchema } from "../compiled-schema.js";
import type { AttributeInfo } from "../schema.js";
import type { AttributeIndex } from "./attribute-index.js";
import { BRIDGE_WORDS, NEGATIONS } from "./lexicon.js";
import { matchesBefore } from "./phrases.js";
import type { Token } from "./tokenize.js";

/** One recognised condition in the request. */
export interface Mention {
  attr: AttributeInfo;
  /** First and one-past-last token of the whole mention (cues included). */
  start: number;
  end: number;
  /** `value`: equality (scalar attribute) or membership (array attribute); `range`: a ready filter. */
  kind: "value" | "range";
  value?: FilterScalar;
  filter?: Filter;
  negated: boolean;
}

/** State shared by the extraction passes of one parse. */
export interface ParseContext {
  tokens: Token[];
  /**
   * Per token: -1 free, otherwise the index of the mention (or -2 for consumed filler, -3 for
   * literal text that no pass may read and that stays in the query).
   */
  owner: Int32Array;
  mentions: Mention[];
  schema: CompiledSchema;
  index: AttributeIndex;
  now: Date;
  afterPeriod: "start" | "end";
  fuzzy: boolean;
  warnings: string[];
}

export const FILLER = -2;
/** Owner of tokens kept as query text whatever the passes find (see `protectLiteralComparisons`). */
export const LITERAL = -3;

export function isFree(ctx: ParseContext, i: number): boolean {
  return i >= 0 && i < ctx.tokens.length && ctx.owner[i] === -1;
}

export function allFree(ctx: ParseContext, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isFree(ctx, i)) return false;
  return true;
}

/** Records a mention and marks its tokens. Returns its index. */
export function addMention(ctx: ParseContext, m: Mention): number {
  const id = ctx.mentions.length;
  ctx.mentions.push(m);
  for (let i = m.start; i < m.end; i++) if (ctx.owner[i] === -1) ctx.owner[i] = id;
  return id;
}

/** A participle or gerund ("assigned", "requiring"): a verb a negation may reach over. */
const VERB_FORM = /^[a-z]{2,}(?:ed|ing)$/;
const AUXILIARIES = new Set([
  "got",
  "get",
  "gets",
  "getting",
  "been",
  "have",
  "has",
  "had",
  "do",
  "does",
  "did",
]);

/**
 * Looks back from token `end` for a negation cue, skipping bridge words ("not the", "excluding
 * anything tagged") and at most one participle, gerund or auxiliary ("not sponsored by",
 * "never got escalated"), or "been" / "be" and a participle ("haven't been updated"). Returns the index where the negation starts, or -1.
 */
export function negationBefore(ctx: ParseContext, end: number, maxSkip = 3): number {
  let e = end;
  let verbSkipped = false;
  let passiveSkipped = false;
  for (let skipped = 0; skipped <= maxSkip && e > 0; skipped++) {
    for (const neg of NEGATIONS) {
      const s = matchesBefore(ctx.tokens, e, neg);
      if (s >= 0 && allFree(ctx, s, e)) {
        // "not only", "no more than" are not negations of the value
        return s;
      }
    }
    const prev = ctx.tokens[e - 1]!;
    if (!isFree(ctx, e - 1)) break;
    if (!BRIDGE_WORDS.has(prev.low)) {
      // one verb between the negation and what it negates: "not assigned to", "never got escalated"
      // (any word before "by" is a participle: "not taught by")
      // (and any word after "don't" / "doesn't" / "didn't", a verb's base form: "don't fit")
      const before = ctx.tokens[e - 2]?.low ?? "";
      const verb =
        VERB_FORM.test(prev.low) ||
        AUXILIARIES.has(prev.low) ||
        ctx.tokens[e]?.low === "by" ||
        /^(?:do|does|did)n't$/.test(before);
      // a passive perfect has "been" before its participle too: "haven't been updated"
      const passive = verbSkipped && !passiveSkipped && (prev.low === "been" || prev.low === "be");
      if ((verbSkipped && !passive) || !verb) break;
      if (passive) passiveSkipped = true;
      verbSkipped = true;
    }
    e--;
  }
  return -1;
}
