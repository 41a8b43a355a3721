/**
 * The noun that names the records themselves ("talks" for "recorded conference talks", "dogs"
 * for "dogs up for adoption"), from the schema's `documentContents`: the thing searched for, kept
 * as query text rather than read as a value of an attribute ("rust talks" is no `format = talk`,
 * "dogs under 20 lbs" no `good_with contains dogs`).
 */
import type { SelfQuerySchema } from "../schema.js";
import { enumValues } from "../schema.js";
import { describedExamples, stemmedKey } from "./attribute-index.js";
import { LITERAL, type ParseContext } from "./context.js";
import { nameWords, singular } from "./tokenize.js";

/** Words that end the head noun phrase of a description. */
const PHRASE_END = new Set([
  "at",
  "in",
  "on",
  "for",
  "from",
  "of",
  "up",
  "with",
  "by",
  "to",
  "that",
  "which",
  "who",
  "where",
  "listed",
  "sold",
  "offered",
  "available",
]);

const cache = new WeakMap<SelfQuerySchema, string | undefined>();

/**
 * Singular of the head noun of `documentContents`: the last word of its first phrase (before a
 * preposition, a relative pronoun, a participle or punctuation), e.g. "talk" for "recorded
 * conference talks", "dog" for "dogs up for adoption at a US rescue".
 */
export function itemNoun(schema: SelfQuerySchema): string | undefined {
  if (cache.has(schema)) return cache.get(schema);
  const first = (schema.documentContents ?? "").toLowerCase().split(/[,;:.()]/)[0] ?? "";
  const words: string[] = [];
  for (const w of first.split(/\s+/).filter(Boolean)) {
    if (PHRASE_END.has(w)) break;
    words.push(w);
  }
  const last = words.at(-1);
  const noun = last && /^\p{L}[\p{L}-]{2,}$/u.test(last) ? singular(last) : undefined;
  cache.set(schema, noun);
  return noun;
}

/** Whether token `i` lies inside a phrase of the schema's values of two words or more. */
function inKnownPhrase(ctx: ParseContext, i: number): boolean {
  const max = Math.min(ctx.index.maxWords, 4);
  for (let len = 2; len <= max; len++)
    for (let s = Math.max(0, i - len + 1); s <= i && s + len <= ctx.tokens.length; s++) {
      const words = ctx.tokens.slice(s, s + len).map((x) => x.low);
      if (ctx.index.byKey.has(stemmedKey(words))) return true;
    }
  return false;
}

/** The records' noun and the name words that may come before it as a value, per schema. */
interface ItemNounPlan {
  noun: string;
  /** Name words of the attributes holding the noun as a value ("good", "with" of `good_with`). */
  cues: ReadonlySet<string>;
}

const plans = new WeakMap<object, ItemNounPlan | null>();

function plan(ctx: ParseContext): ItemNounPlan | null {
  const hit = plans.get(ctx.schema);
  if (hit !== undefined) return hit;
  const noun = itemNoun(ctx.schema.schema);
  const names = ctx.schema.attributes.flatMap((a) => nameWords(a.name));
  // a noun that is also an attribute's word ("episode" of `episode_number`) is that attribute's cue
  let out: ItemNounPlan | null = null;
  if (noun && !names.some((w) => singular(w) === noun)) {
    const holders = ctx.schema.attributes.filter((a) =>
      [...enumValues(a).map((v) => String(v.value)), ...describedExamples(a)].some(
        (v) => singular(v.toLowerCase()) === noun,
      ),
    );
    out = { noun, cues: new Set(holders.flatMap((a) => nameWords(a.name)).filter((w) => w.length >= 3)) };
  }
  plans.set(ctx.schema, out);
  return out;
}

/**
 * Marks each mention of the records' noun as query text, except right after a word of an
 * attribute's name (within three tokens: "good with other dogs" for `good_with`) or inside a
 * known value of several words ("Mist Trail"); nothing when the noun is itself a word of an
 * attribute's name.
 */
export function protectItemNouns(ctx: ParseContext): void {
  const p = plan(ctx);
  if (!p) return;
  const t = ctx.tokens;
  for (let i = 0; i < t.length; i++) {
    if (ctx.owner[i] !== -1 || singular(t[i]!.low) !== p.noun) continue;
    // part of a known value of several words ("Mist Trail", "Summer Exhibition")
    if (inKnownPhrase(ctx, i)) continue;
    let cued = false;
    for (let k = Math.max(0, i - 3); k < i; k++) if (p.cues.has(t[k]!.low)) cued = true;
    if (!cued) ctx.owner[i] = LITERAL;
  }
}
