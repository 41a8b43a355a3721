/**
 * A person's name without a role cue, for a schema with one attribute holding people's names:
 * a possessive ("Ada Lovelace's notes") or the subject of a past-tense verb ("anything Ada
 * Lovelace wrote", "what Grace Hopper posted").
 */
import type { AttributeInfo } from "../schema.js";
import { stemmedKey } from "./attribute-index.js";
import { addMention, isFree, type ParseContext } from "./context.js";
import { EDGE_FILLER } from "./lexicon.js";

/** Words of a name or description that say an attribute holds people's names. */
const PERSON =
  /\b(author|director|writer|creator|artist|composer|owner|manager|agent|assignee|person|chef|host|teacher|speaker|full name)\b/;
const CAPITALISED = /^\p{Lu}\p{Ll}[\p{L}'’-]*$/u;
const PAST = /^(?:[a-z]{3,}ed|wrote|made|gave|built|drew|took|sang|led)$/;

/** The one free-text string attribute holding people's names, if there is exactly one. */
const personCache = new WeakMap<object, { attr: AttributeInfo | undefined }>();

function personAttribute(ctx: ParseContext): AttributeInfo | undefined {
  const cached = personCache.get(ctx.schema);
  if (cached) return cached.attr;
  const hits = ctx.schema.attributes.filter(
    (a) =>
      a.type === "string" &&
      !a.values?.length &&
      PERSON.test(`${a.name.replace(/_/g, " ")} ${a.description}`.toLowerCase()),
  );
  const attr = hits.length === 1 ? hits[0] : undefined;
  personCache.set(ctx.schema, { attr });
  return attr;
}

/** Finds possessive names and names before a past-tense verb. */
export function extractNames(ctx: ParseContext): void {
  const attr = personAttribute(ctx);
  if (!attr) return;
  const { tokens } = ctx;
  for (let i = 0; i < tokens.length; i++) {
    if (!isFree(ctx, i) || !CAPITALISED.test(tokens[i]!.text)) continue;
    let k = i;
    while (k < i + 3 && isFree(ctx, k) && CAPITALISED.test(tokens[k]!.text)) {
      if (/['’]s$/.test(tokens[k]!.text)) break;
      k++;
    }
    const possessive = k < tokens.length && isFree(ctx, k) && /^\p{Lu}.*['’]s$/u.test(tokens[k]!.text);
    const words = possessive ? k + 1 - i : k - i;
    // two or three words: one capitalised word may be anything
    if (words < 2 || words > 3) continue;
    // a verb, not an adjective ("Big Data related posts"): nothing, a small word or a date or amount after it
    const after = tokens[k + 1];
    const verbEnds =
      !after ||
      EDGE_FILLER.has(after.low) ||
      /^[^\p{L}\p{N}]+$/u.test(after.low) ||
      ctx.mentions[ctx.owner[k + 1] ?? -1]?.kind === "range";
    const subject = !possessive && PAST.test(tokens[k]?.low ?? "") && verbEnds;
    if (!possessive && !subject) continue;
    const end = i + words;
    const parts = tokens.slice(i, end).map((t) => t.text.replace(/['’]s$/, ""));
    if ((ctx.index.byKey.get(stemmedKey(parts.map((p) => p.toLowerCase()))) ?? []).length > 0) continue;
    addMention(ctx, { attr, start: i, end, kind: "value", value: parts.join(" "), negated: false });
    i = end - 1;
  }
}
