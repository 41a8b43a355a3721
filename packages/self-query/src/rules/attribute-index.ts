import { distance } from "fastest-levenshtein";
import type { CompiledSchema } from "../compiled-schema.js";
import { type AttributeInfo, enumValues } from "../schema.js";
import { attributeCurrency } from "./currency.js";
import { genderedForms } from "./gendered-nouns.js";
import { COMMON_WORDS } from "./lexicon.js";
import { ONES } from "./numbers.js";
import { nameWords, phraseKey, singular, stem, tokenize } from "./tokenize.js";
import { countedUnits, fivePointRating, inferredUnits } from "./units.js";

export { countedUnits } from "./units.js";

/** One way of writing an enumerated value (or a boolean attribute's name). */
export interface Phrase {
  attr: AttributeInfo;
  value: string | boolean;
  words: string[];
  /** {@link phraseKey} with the last word stemmed. */
  key: string;
  /** {@link phraseKey} of the words as written. */
  raw: string;
  /** A single common English word: only a value with a cue. */
  common: boolean;
}

/** Phrase and cue-word lookups for one schema (built once per schema). */
export interface AttributeIndex {
  phrases: Phrase[];
  byKey: Map<string, Phrase[]>;
  maxWords: number;
  /** Cue stem → attributes it names (name words, synonyms, unit words). */
  cues: Map<string, AttributeInfo[]>;
  /** Multi-word attribute synonyms ("written by", "page count"). */
  cuePhrases: Array<{ words: string[]; attr: AttributeInfo }>;
  /** Unit word (lower case) → attributes and factors. */
  units: Map<string, Array<{ attr: AttributeInfo; factor: number }>>;
  /** Attribute name → cue stems of the words of its description (3 letters or more). */
  described: Map<string, Set<string>>;
}

const GENERIC_NAME_WORDS = new Set([
  "at",
  "is",
  "has",
  "have",
  "can",
  "was",
  "in",
  "of",
  "the",
  "id",
  "num",
  "number",
  "count",
  "total",
  "value",
  "flag",
  "on",
  "by",
  "a",
  "to",
]);

/**
 * Stem for cue words, so `rated`/`rating`, `cited`/`citations`, `released`/`release` meet: the
 * Porter2 stem ({@link stem}) without a final `at` or `e` (`citat`/`cite` → `cit`).
 */
export function cueStem(word: string): string {
  const w = stem(word);
  for (const suffix of ["at", "e"])
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) return w.slice(0, -suffix.length);
  return w;
}

/** Key of a word list with its last word made singular (plural-insensitive). */
export function stemmedKey(words: string[]): string {
  if (words.length === 0) return "";
  return phraseKey([...words.slice(0, -1), singular(words[words.length - 1]!)]);
}

/** Noun-forming suffixes read as the value they extend ("rentals", "internships"). */
/** Two- to four-letter words that are never read as initialisms of a value. */
const NOT_INITIALISMS = new Set(
  (
    "a an am as at be by do go he hi if in is it me my no of oh ok on or so to up us we " +
    "ad ah ax ex id ma mm pa pm re vs yo " +
    "all and any are but can cut did for had has her him his how its let may new not now off old " +
    "one our out own say see she the too two use was way who why yes yet you"
  ).split(" "),
);

/** Words before a compound of a description that deny it ("no in-app purchases"). */
const NEGATORS = new Set(["no", "not", "without", "non", "never"]);

const DERIVED_SUFFIXES = ["al", "ship"];

const indexCache = new WeakMap<CompiledSchema, AttributeIndex>();

/** Builds (once per compiled schema) the phrase and cue indexes of the rule-based parser. */
export function indexSchema(schema: CompiledSchema): AttributeIndex {
  const hit = indexCache.get(schema);
  if (hit) return hit;
  const phrases: Phrase[] = [];
  const cues = new Map<string, AttributeInfo[]>();
  const cuePhrases: AttributeIndex["cuePhrases"] = [];
  const units = new Map<string, Array<{ attr: AttributeInfo; factor: number }>>();
  const derived: AttributeInfo[] = [];
  const described = new Map<string, Set<string>>();
  const addCue = (word: string, attr: AttributeInfo) => {
    const k = cueStem(word);
    if (k.length < 2 || GENERIC_NAME_WORDS.has(word)) return;
    const list = cues.get(k) ?? [];
    if (!list.includes(attr)) list.push(attr);
    cues.set(k, list);
  };
  const addPhrase = (attr: AttributeInfo, value: string | boolean, text: string) => {
    const words = tokenize(text.toLowerCase()).map((t) => t.low);
    if (words.length === 0) return;
    const key = stemmedKey(words);
    if (phrases.some((p) => p.attr === attr && p.key === key)) return;
    phrases.push({
      attr,
      value,
      words,
      key,
      raw: phraseKey(words),
      common: words.length === 1 && COMMON_WORDS.has(words[0]!),
    });
  };
  for (const attr of schema.attributes) {
    const words = nameWords(attr.name);
    for (const w of words) addCue(w, attr);
    for (const s of attr.synonyms ?? []) {
      const sw = tokenize(s.toLowerCase()).map((t) => t.low);
      if (sw.length === 1) addCue(sw[0]!, attr);
      else if (sw.length > 1) cuePhrases.push({ words: sw, attr });
    }
    if (words.length > 1) cuePhrases.push({ words, attr });
    // a participle before the attribute's noun in its description is a cue: "required skills"
    // makes "requiring java" and "require rust" name `skills`
    const desc = tokenize(attr.description.toLowerCase()).map((t) => t.low);
    const nameStems = new Set(words.map(stem));
    // a list of free values takes every participle of its description: "drugs or procedures
    // tested" makes "that test X" name `interventions`
    const list = attr.type === "string[]" && !attr.values?.length;
    desc.forEach((w, k) => {
      if (/^[a-z]{4,}ed$/.test(w) && (list || nameStems.has(stem(desc[k + 1] ?? "")))) addCue(w, attr);
    });
    for (const [u, factor] of Object.entries({
      ...countedUnits(attr),
      ...inferredUnits(attr),
      ...attr.units,
    })) {
      const list = units.get(u.toLowerCase()) ?? [];
      list.push({ attr, factor });
      units.set(u.toLowerCase(), list);
      addCue(u, attr);
    }
    described.set(attr.name, new Set(desc.filter((w) => /^\p{L}{3,}$/u.test(w)).map(cueStem)));
    for (const example of describedExamples(attr)) addPhrase(attr, example, example);
    for (const v of enumValues(attr)) {
      if (typeof v.value === "string") addPhrase(attr, v.value, v.value);
      for (const s of v.synonyms ?? []) addPhrase(attr, v.value, s);
    }
    derived.push(attr);
    if (attr.type === "boolean") {
      const core = words.filter(
        (w, i) => !(i === 0 && ["is", "has", "have", "can", "was", "with"].includes(w)),
      );
      if (core.length > 0) {
        const explicit = enumValues(attr).some((v) => v.value === true && (v.synonyms?.length ?? 0) > 0);
        if (!explicit || core.length > 1) addPhrase(attr, true, core.join(" "));
        // a number word of the name written as a digit: "5g" for `five_g`, "4k" for `four_k`
        const digits = core.map((w) => (w in ONES && !["couple", "dozen"].includes(w) ? String(ONES[w]) : w));
        if (digits.join(" ") !== core.join(" ")) addPhrase(attr, true, digits.join(" "));
        if (core[0] === "in" && core.length > 1) addPhrase(attr, false, `out of ${core.slice(1).join(" ")}`);
        // the negated participle or adjective: "unresolved", "unescalated", "unrefundable"
        const last = core.at(-1)!;
        if (core.length === 1 && /(ed|able|ible)$/.test(last) && !last.startsWith("un"))
          addPhrase(attr, false, `un${last}`);
      }
      for (const s of attr.synonyms ?? []) addPhrase(attr, true, s);
      // a compound of its description names it: "e-bike with a pedal-assist motor" makes
      // "e-bikes" and "pedal assist" true, "not locked to a carrier (SIM-free)" makes "sim free" true
      desc.forEach((w, k) => {
        if (
          /^\p{L}+(?:-\p{L}+)+$/u.test(w) &&
          w.replace(/-/g, "").length >= 4 &&
          !NEGATORS.has(desc[k - 1] ?? "")
        )
          addPhrase(attr, true, w);
      });
    }
  }
  // "girls", "gentlemen" for a `sex` of female / male, unless they spell another value
  for (const attr of derived) {
    const forms = genderedForms(
      enumValues(attr).flatMap((v) => (typeof v.value === "string" ? [v.value] : [])),
    );
    for (const f of forms ?? [])
      for (const w of f.words)
        if (!phrases.some((p) => p.key === stemmedKey([w]) && p.attr !== attr)) addPhrase(attr, f.value, w);
  }
  // derived nouns of one-word values ("rent" → "rental", "intern" → "internship"), unless they
  // spell another phrase
  const known = new Set(phrases.map((p) => p.key));
  // the initialism of a value of several words ("ml" for machine_learning, "nz" for new_zealand),
  // unless it is a word, spells another phrase or two values share it
  const initialisms = new Map<string, Array<{ attr: AttributeInfo; value: string }>>();
  for (const attr of derived)
    for (const v of enumValues(attr)) {
      if (typeof v.value !== "string") continue;
      const words = v.value.toLowerCase().split(/[\s_-]+/);
      if (words.length < 2 || words.length > 4 || !words.every((w) => /^\p{L}{2,}$/u.test(w))) continue;
      if (words.some((w) => ["and", "or", "of", "to", "the", "a"].includes(w))) continue;
      const key = words.map((w) => w[0]).join("");
      initialisms.set(key, [...(initialisms.get(key) ?? []), { attr, value: v.value }]);
    }
  for (const [key, owners] of initialisms)
    if (owners.length === 1 && !known.has(stemmedKey([key])) && !NOT_INITIALISMS.has(key))
      addPhrase(owners[0]!.attr, owners[0]!.value, key);
  for (const attr of derived)
    for (const v of enumValues(attr)) {
      const w = typeof v.value === "string" ? v.value.toLowerCase() : "";
      if (!/^\p{L}{4,}$/u.test(w) || COMMON_WORDS.has(w) || /[aeiouy]$/.test(w)) continue;
      for (const suffix of DERIVED_SUFFIXES)
        if (!known.has(stemmedKey([w + suffix]))) addPhrase(attr, v.value, w + suffix);
    }
  // "4.5 stars" is the one five-point rating, unless an attribute counts stars itself ("michelin_stars")
  const ratings = schema.attributes.filter(fivePointRating);
  if (ratings.length === 1 && !units.has("stars") && !units.has("star") && !cues.has(cueStem("stars")))
    for (const w of ["stars", "star"]) {
      units.set(w, [{ attr: ratings[0]!, factor: 1 }]);
      addCue(w, ratings[0]!);
    }
  // "people" counts the one attribute that counts persons ("number of participants", "attendees")
  const counted = schema.attributes.filter((a) =>
    Object.keys(countedUnits(a)).some((w) => /(?:ants|ents|ees|ists|ians|ers)$/.test(w)),
  );
  if (counted.length === 1)
    for (const w of ["people", "persons", "person"])
      if (!units.has(w)) {
        units.set(w, [{ attr: counted[0]!, factor: 1 }]);
        addCue(w, counted[0]!);
      }
  // the first word of an enumerated value of several words stands for it when no other phrase
  // starts so ("cases" for case_law, "premium" for premium_economy); not the first word of an
  // example of a free-text attribute, which is one of many values ("pixel" is no 'Pixel 7a')
  const heads = new Map<string, Phrase[]>();
  for (const p of phrases)
    if (
      p.words.length > 1 &&
      p.attr.values?.length &&
      typeof p.value === "string" &&
      // the value itself, not a synonym ("high blood pressure" does not make "high" a value)
      phraseKey(p.words) === phraseKey(tokenize(p.value.toLowerCase()).map((t) => t.low))
    ) {
      const k = stemmedKey([p.words[0]!]);
      heads.set(k, [...(heads.get(k) ?? []), p]);
    }
  const taken = new Set(phrases.map((p) => p.key));
  for (const [k, ps] of heads) {
    const first = ps[0]!;
    const head = first.words[0]!;
    if (taken.has(k) || head.length < 4 || COMMON_WORDS.has(head) || cues.has(cueStem(head))) continue;
    if (ps.some((p) => p.attr !== first.attr || p.value !== first.value)) continue;
    addPhrase(first.attr, first.value, head);
  }
  const byKey = new Map<string, Phrase[]>();
  for (const p of phrases) {
    const list = byKey.get(p.key) ?? [];
    list.push(p);
    byKey.set(p.key, list);
  }
  const index: AttributeIndex = {
    phrases,
    byKey,
    maxWords: Math.min(6, Math.max(1, ...phrases.map((p) => p.words.length))),
    cues,
    cuePhrases,
    units,
    described,
  };
  indexCache.set(schema, index);
  return index;
}

/**
 * Attributes a misspelt cue word names: one edit (two from 9 letters, as for values) from a cue
 * stem of the same first letter, when that stem is the only one so close. Words under 5 letters
 * are never read as typos.
 */
export function fuzzyCue(index: AttributeIndex, word: string): AttributeInfo[] | undefined {
  const n = /^\p{L}+$/u.test(word) ? word.length : 0;
  const budget = n >= 9 ? 2 : n >= 5 ? 1 : 0;
  if (budget === 0) return undefined;
  const w = cueStem(word);
  let hit: AttributeInfo[] | undefined;
  for (const [k, attrs] of index.cues) {
    if (k[0] !== w[0] || k.length < 4 || Math.abs(k.length - w.length) > budget) continue;
    if (distance(k, w) > budget) continue;
    if (hit) return undefined;
    hit = attrs;
  }
  return hit;
}

/** Whether a word (any form) is one of the words of an attribute's description. */
export function describes(index: AttributeIndex, attr: AttributeInfo, word: string): boolean {
  return index.described.get(attr.name)?.has(cueStem(word)) ?? false;
}

/** Attributes a single word names (by cue stem). */
export function cueAttributes(index: AttributeIndex, word: string): AttributeInfo[] {
  const attrs = index.cues.get(cueStem(word)) ?? [];
  if (attrs.length < 2) return attrs;
  // the attribute whose name has the word itself comes first: "ratings" is `rating` before
  // `hourly_rate`, which shares only the stem
  const w = singular(word.toLowerCase());
  const exact = attrs.filter((a) => nameWords(a.name).some((n) => n === w || singular(n) === w));
  return exact.length && exact.length < attrs.length
    ? [...exact, ...attrs.filter((a) => !exact.includes(a))]
    : attrs;
}

/** Articles, prepositions and conjunctions: never a value of their own. */
const FUNCTION_WORDS = new Set(
  "a an the of and or nor in on at to for with by from as into onto than then".split(" "),
);

/**
 * Example values quoted in the description of a free-text string or `string[]` attribute (no
 * enumerated values), e.g. `'spicy'` and `'one-pot'` in "free-form tags such as 'spicy',
 * 'one-pot'": they are read as values of that attribute, with the casing written there. A quoted
 * function word ("without a leading 'the'") is none.
 */
export function describedExamples(attr: AttributeInfo): string[] {
  if ((attr.type !== "string" && attr.type !== "string[]") || attr.values?.length) return [];
  const out: string[] = [];
  for (const m of attr.description.matchAll(
    /(?<![\p{L}\p{N}])['"‘“]([^'"’”]{1,40})['"’”](?![\p{L}\p{N}])/gu,
  )) {
    const v = m[1]!.trim();
    // "without a leading 'the'": a function word quoted is a word the values lack, not a value
    if (v && !FUNCTION_WORDS.has(v.toLowerCase()) && !out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * Whether a number attribute is priced in money: its name, synonyms or units mention price/cost/$,
 * or it names its currency ("in GBP", see {@link attributeCurrency}).
 */
export function isMoney(attr: AttributeInfo): boolean {
  if (attr.type !== "number") return false;
  const words = [attr.name, ...(attr.synonyms ?? []), ...Object.keys(attr.units ?? {})]
    .join(" ")
    .toLowerCase();
  return (
    /price|cost|fee|salary|budget|amount|msrp|\$|dollar|euro|usd|€|£/.test(words) ||
    attributeCurrency(attr) !== undefined
  );
}
