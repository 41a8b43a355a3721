import { distance } from "fastest-levenshtein";
import type { AttributeInfo } from "../schema.js";
import { type AttributeIndex, cueAttributes, cueStem, type Phrase, stemmedKey } from "./attribute-index.js";
import { addMention, allFree, isFree, type ParseContext } from "./context.js";
import { BRIDGE_WORDS, EDGE_FILLER, PRONOUNS, TAG_CUES, VALUE_CUES, WORD } from "./lexicon.js";
import { attributesOfRole, isRoleCue, lowerCaseName, moreNames, PEOPLE, TITLES } from "./person-names.js";
import { phraseKey } from "./tokenize.js";
import { typoBudget, typoDistance } from "./typo-distance.js";
import { compoundHead, pluralOfShortForm } from "./value-forms.js";

const HYPHEN_SUFFIXES = new Set([
  "language",
  "based",
  "style",
  "themed",
  "only",
  "speaking",
  "related",
  "specific",
  "powered",
  "flavored",
  "friendly",
]);
/** Words after which a request-initial "go"/"express" is a verb, not a value. */
const VERB_FOLLOWERS = new Set([
  "to",
  "from",
  "back",
  "with",
  "through",
  "into",
  "the",
  "a",
  "an",
  "up",
  "down",
  "out",
  "over",
  "ahead",
  "on",
  "for",
  "away",
  "home",
  "there",
  "here",
  "about",
  "by",
  "and",
  "or",
  "is",
  "it",
  "you",
  "me",
  "i",
  "we",
]);
const TOPIC_CUES = new Set(["about", "regarding", "on", "discussing", "concerning"]);
/** Longest quoted free value, in tokens (a name or a title); a longer quote is not a value. */
const MAX_QUOTED_TOKENS = 32;

/** Whether token `i` continues a list ("hooks or state") after a mention of `field`. */
function listContinues(ctx: ParseContext, i: number, field: string): boolean {
  const joiner = ctx.tokens[i - 1]?.low;
  if (joiner !== "or" && joiner !== "and" && joiner !== ",") return false;
  const owner = ctx.owner[i - 2];
  return owner !== undefined && owner >= 0 && ctx.mentions[owner]?.attr.name === field;
}

function candidates(
  ctx: ParseContext,
  i: number,
): { phrases: Phrase[]; len: number; fuzzy: boolean; negated: boolean } | undefined {
  const { tokens, index } = ctx;
  for (let len = Math.min(index.maxWords, tokens.length - i); len >= 1; len--) {
    if (!allFree(ctx, i, i + len)) continue;
    const words = tokens.slice(i, i + len).map((t) => t.low);
    // "Mission: Impossible", "Impulse!": punctuation inside a value of several words
    if (!words.every((w, k) => WORD.test(w) || w === "&" || (k > 0 && /^[:!]$/.test(w)))) continue;
    const hit = index.byKey.get(stemmedKey(words)) ?? pluralOfShortForm(index, words);
    if (hit) return { phrases: hit, len, fuzzy: false, negated: false };
    if (len === 1 && words[0]!.includes("-")) {
      // "spanish-language", "python-based": the part before the hyphen is the value
      const [head, ...rest] = words[0]!.split("-");
      const hit2 = index.byKey.get(stemmedKey([head!]));
      if (
        hit2 &&
        rest.length === 1 &&
        (HYPHEN_SUFFIXES.has(rest[0]!) ||
          hit2.some(
            (p) =>
              cueAttributes(index, rest[0]!).includes(p.attr) ||
              // "mid-level" for a seniority "level of the role": a word of the value's own description
              index.described.get(p.attr.name)?.has(cueStem(rest[0]!)),
          ))
      ) {
        return { phrases: hit2, len, fuzzy: false, negated: false };
      }
    }
    if (len === 1 && words[0]!.startsWith("non-")) {
      const inner = index.byKey.get(stemmedKey([words[0]!.slice(4)]));
      if (inner) return { phrases: inner, len, fuzzy: false, negated: true };
    }
  }
  // a compound's head only once no typo reading fits ("volkswagon" is volkswagen, not a wagon)
  const head = () => {
    const w = tokens[i]?.low;
    const hit = w !== undefined && isFree(ctx, i) && WORD.test(w) ? compoundHead(index, w) : undefined;
    return hit ? { phrases: hit, len: 1, fuzzy: false, negated: false } : undefined;
  };
  if (!ctx.fuzzy) return head();
  // typo tolerance: one or two words against phrases of the same word count
  for (let len = Math.min(2, tokens.length - i); len >= 1; len--) {
    if (!allFree(ctx, i, i + len)) continue;
    const words = tokens.slice(i, i + len).map((t) => t.low);
    if (!words.every((w) => WORD.test(w) && !EDGE_FILLER.has(w) && !/^\d/.test(w))) continue;
    if (words.some((w) => cueAttributes(index, w).length > 0 || TAG_CUES.has(w))) continue;
    const key = stemmedKey(words);
    // the typed word unstemmed too: "japanes" is one letter from "japanese", "japane" two
    const raw = phraseKey(words);
    // a four-letter word tolerates one swap of neighbours ("rnet"), nothing else
    const budget = typoBudget(raw.length) || (raw.length === 4 ? 1 : 0);
    if (budget === 0) continue;
    const swapOnly = typoBudget(raw.length) === 0;
    let best: Phrase[] = [];
    let bestD = budget + 1;
    for (const p of index.phrases) {
      if (p.words.length !== len || p.key[0] !== key[0] || Math.abs(p.key.length - key.length) > budget + 1)
        continue;
      const full = p.raw;
      if (swapOnly ? full.length !== 4 || distance(full, raw) !== 2 : typoBudget(full.length) === 0) continue;
      const d = swapOnly
        ? typoDistance(full, raw)
        : Math.min(typoDistance(p.key, key), typoDistance(full, raw));
      if (d < bestD) {
        bestD = d;
        best = [p];
      } else if (d === bestD) best.push(p);
    }
    if (
      best.length > 0 &&
      bestD <= budget &&
      new Set(best.map((p) => `${p.attr.name}\u0000${String(p.value)}`)).size === 1
    ) {
      return { phrases: best, len, fuzzy: true, negated: false };
    }
  }
  return head();
}

/** Cue before token `i` naming an attribute (or a tag cue); returns its start and attributes. */
function attributeCueBefore(
  ctx: ParseContext,
  i: number,
): { start: number; attrs: AttributeInfo[]; tag: boolean } | undefined {
  let j = i - 1;
  while (j >= 0 && isFree(ctx, j) && [":", "=", "is", "of", "with", "as", "in"].includes(ctx.tokens[j]!.low))
    j--;
  if (j < 0 || !isFree(ctx, j)) return undefined;
  const w = ctx.tokens[j]!.low;
  if (TAG_CUES.has(w))
    return { start: j, attrs: ctx.schema.attributes.filter((a) => a.type === "string[]"), tag: true };
  for (const cp of ctx.index.cuePhrases) {
    const s = j - cp.words.length + 1;
    if (s >= 0 && cp.words.every((x, k) => ctx.tokens[s + k]!.low === x) && allFree(ctx, s, j + 1)) {
      return { start: s, attrs: [cp.attr], tag: false };
    }
  }
  const attrs = cueAttributes(ctx.index, w);
  return attrs.length ? { start: j, attrs, tag: false } : undefined;
}

function choose(
  _ctx: ParseContext,
  phrases: Phrase[],
  cue: ReturnType<typeof attributeCueBefore>,
): Phrase | undefined {
  if (cue) {
    const hit = phrases.find((p) => cue.attrs.includes(p.attr));
    if (hit) return hit;
  }
  return phrases.find((p) => p.attr.type !== "string[]") ?? phrases[0];
}

/** Finds enumerated values, boolean phrases and synonyms (case-insensitive, typo-tolerant). */
export function extractValues(ctx: ParseContext): void {
  const { tokens } = ctx;
  for (let i = 0; i < tokens.length; i++) {
    if (!isFree(ctx, i)) continue;
    const c = candidates(ctx, i);
    if (!c) continue;
    const cue = attributeCueBefore(ctx, i);
    const phrase = choose(ctx, c.phrases, cue);
    if (!phrase) continue;
    const tok = tokens[i]!;
    const prev = tokens[i - 1]?.low ?? "";
    if (phrase.common && !c.fuzzy) {
      const initialNoun =
        i === 0 &&
        c.len === 1 &&
        tokens.length > 1 &&
        !VERB_FOLLOWERS.has(tokens[1]!.low) &&
        !/^[^\p{L}]/u.test(tokens[1]!.low);
      const capitalised =
        (/^\p{Lu}/u.test(tok.text) && i > 0 && !/^[.!?]$/.test(tokens[i - 1]!.text)) || initialNoun;
      const listed = listContinues(ctx, i, phrase.attr.name);
      const cued = cue?.attrs.includes(phrase.attr) || VALUE_CUES.has(prev) || listed;
      if (!capitalised && !cued) continue;
      if (!capitalised && !cue && !listed && phrase.attr.type !== "boolean" && !VALUE_CUES.has(prev))
        continue;
    }
    if (phrase.attr.type === "boolean" && TOPIC_CUES.has(prev)) continue;
    if (c.fuzzy)
      ctx.warnings.push(
        `read "${tokens
          .slice(i, i + c.len)
          .map((t) => t.text)
          .join(" ")}" as ${phrase.attr.name} = ${String(phrase.value)}`,
      );
    const start = cue?.attrs.includes(phrase.attr) ? cue.start : i;
    let end = i + c.len;
    if (tokens[end]?.low === "only" && isFree(ctx, end)) end++;
    addMention(ctx, {
      attr: phrase.attr,
      start,
      end,
      kind: "value",
      value: phrase.value,
      negated: c.negated,
    });
    i = end - 1;
  }
}

/** Values of attributes without enumerated values, after a cue ("tagged hooks", "author: \"Ada Lovelace\""). */
export function extractFreeValues(ctx: ParseContext): void {
  const { tokens } = ctx;
  const free = ctx.schema.attributes.filter(
    (a) => (a.type === "string" || a.type === "string[]") && !a.values,
  );
  if (free.length === 0) return;
  for (let i = 0; i < tokens.length; i++) {
    if (!isFree(ctx, i)) continue;
    const w = tokens[i]!.low;
    let attrs: AttributeInfo[] = [];
    let cueEnd = i + 1;
    let start = i;
    if (TAG_CUES.has(w)) attrs = free.filter((a) => a.type === "string[]");
    else {
      const cp = ctx.index.cuePhrases.find(
        (p) => p.words.every((x, k) => tokens[i + k]?.low === x) && allFree(ctx, i, i + p.words.length),
      );
      if (cp && free.includes(cp.attr)) {
        attrs = [cp.attr];
        cueEnd = i + cp.words.length;
      } else attrs = cueAttributes(ctx.index, w).filter((a) => free.includes(a));
    }
    const nameAt = tokens[i + 1]?.low === "the" ? i + 2 : i + 1;
    if (attrs.length === 0 && isRoleCue(tokens, i) && /^\p{Lu}/u.test(tokens[nameAt]?.text ?? "")) {
      // "by Greta Gerwig", "assigned to Maria Gonzalez", "sponsored by Pfizer": the free-text
      // attribute that holds a name; the one whose name or description shares the verb wins
      const verb = w === "by" || w === "to" ? tokens[i - 1]?.low : w;
      const named = free.filter((a) => PEOPLE.test(`${a.name} ${a.description}`));
      const byVerb = attributesOfRole(verb, named);
      attrs = byVerb.length ? byVerb : named.length === 1 || w !== "to" ? named : [];
      cueEnd = nameAt;
    } else if (attrs.length === 0 && isRoleCue(tokens, i) && WORD.test(tokens[nameAt]?.low ?? "")) {
      // "curated by hans ulrich obrist": a name in lower case only after a verb naming its attribute
      const verb = w === "by" || w === "to" ? tokens[i - 1]?.low : w;
      const byVerb = attributesOfRole(
        verb,
        free.filter((a) => PEOPLE.test(`${a.name} ${a.description}`)),
      );
      const name = byVerb.length === 1 ? lowerCaseName(ctx, nameAt) : undefined;
      if (name) {
        addMention(ctx, {
          attr: byVerb[0]!,
          start: i,
          end: name.end,
          kind: "value",
          value: name.value,
          negated: false,
        });
        i = name.end - 1;
        continue;
      }
    } else if (attrs.length === 0 && (w === "with" || w === "without")) {
      // "with Tilda Swinton", "without Tom Cruise", "with both X and Y": a capitalised full name
      // after "with" is a member of the one list attribute holding people's names
      let at = i + 1;
      if (["both", "either"].includes(tokens[at]?.low ?? "") && isFree(ctx, at)) at++;
      const members = free.filter((a) => a.type === "string[]" && PEOPLE.test(`${a.name} ${a.description}`));
      const twoCaps = [at, at + 1].every(
        (k) => isFree(ctx, k) && /^\p{Lu}\p{Ll}/u.test(tokens[k]?.text ?? ""),
      );
      if (members.length === 1 && twoCaps) {
        attrs = members;
        cueEnd = w === "with" ? i + 1 : at;
        // "without" stays free, for the negation pass to read
        if (w === "without") start = at;
      }
    }
    const attr = attrs[0];
    if (!attr) continue;
    let j = cueEnd;
    let explicit = false;
    while (
      [":", "=", "is", "named", "called", "with", "both", "either"].includes(tokens[j]?.low ?? "") &&
      isFree(ctx, j)
    ) {
      explicit ||= tokens[j]!.low !== "with";
      j++;
    }
    let value: string | undefined;
    let end = j;
    const t = tokens[j];
    if (!t || !isFree(ctx, j)) continue;
    if (t.text === '"' || t.text === "'" || t.text === "“") {
      // the closing quote is looked for within MAX_QUOTED_TOKENS only, so unclosed quotes after
      // many cues cost linear time, not a scan to the end of the request for each
      const stop = Math.min(tokens.length, j + 2 + MAX_QUOTED_TOKENS);
      let k = j + 1;
      while (k < stop && !['"', "'", "”"].includes(tokens[k]!.text)) k++;
      if (k < stop && k > j + 1 && allFree(ctx, j, k + 1)) {
        value = tokens
          .slice(j + 1, k)
          .map((x) => x.text)
          .join(" ");
        end = k + 1;
      }
    } else if (
      /^\p{Lu}/u.test(t.text) &&
      (attr.type === "string" || isRoleCue(tokens, i) || w === "with" || w === "without")
    ) {
      // "Dr. Lee": a title and its full stop
      if (TITLES.has(t.low) && tokens[j + 1]?.text === "." && /^\p{Lu}/u.test(tokens[j + 2]?.text ?? ""))
        j += 2;
      let k = j;
      while (
        k < tokens.length &&
        k < j + 4 &&
        isFree(ctx, k) &&
        /^\p{Lu}/u.test(tokens[k]!.text) &&
        WORD.test(tokens[k]!.low)
      )
        k++;
      let from = j;
      // a title is not part of the name ("Justice Sonia Sotomayor", "Dr. Lee")
      while (from < k - 1 && TITLES.has(tokens[from]!.low.replace(/\.$/, ""))) from++;
      value = tokens
        .slice(from, k)
        .map((x) => x.text)
        .join(" ");
      end = k;
    } else if (
      (explicit || attr.type === "string[]") &&
      WORD.test(t.low) &&
      !BRIDGE_WORDS.has(t.low) &&
      !EDGE_FILLER.has(t.low) &&
      !PRONOUNS.has(t.low)
    ) {
      value = attr.type === "string[]" ? t.low : t.text;
      end = j + 1;
    }
    if (!value) continue;
    addMention(ctx, { attr, start, end, kind: "value", value, negated: false });
    // "co-authored by Ada Lovelace and Charles Babbage": each name of a list is a member
    if (attr.type === "string[]" && (isRoleCue(tokens, i) || w === "with" || w === "without"))
      end = moreNames(ctx, attr, end);
    i = end - 1;
  }
}

export type { AttributeIndex };
