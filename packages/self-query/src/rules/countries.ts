/**
 * Countries named in a request, as values of the one attribute of a schema that holds countries:
 * by common or official name ("japan", "the United Kingdom"), alternative spelling ("Great
 * Britain"), code written in capitals ("UK", "USA") or demonym ("Japanese", "German"). The names,
 * spellings, codes and English demonyms of the 250 countries and territories come from the
 * world-countries dataset (mledoze/countries, Open Database License).
 */
import worldCountries from "world-countries";
import { type AttributeInfo, enumValues } from "../schema.js";
import { describedExamples } from "./attribute-index.js";
import { addMention, allFree, type ParseContext } from "./context.js";
import { namedOrDescribed, soleAttribute } from "./sole-attribute.js";

interface Country {
  common: string;
  /** A member state of the United Nations (a name shared with a territory means the state). */
  member: boolean;
  cca2: string;
  cca3: string;
  /** Every form in lower case: names, spellings, codes, demonyms. */
  forms: Set<string>;
}

interface CountryIndex {
  /** Lower-case words of a name, spelling or demonym → countries. */
  byWords: Map<string, Country[]>;
  /** Codes (cca2, cca3, spellings in capitals: "UK", "USA") → countries; matched as written. */
  byCode: Map<string, Country[]>;
  maxWords: number;
}

let index: CountryIndex | undefined;

function countryIndex(): CountryIndex {
  if (index) return index;
  const byWords = new Map<string, Country[]>();
  const byCode = new Map<string, Country[]>();
  let maxWords = 1;
  const add = (map: Map<string, Country[]>, key: string, c: Country) => {
    const list = map.get(key) ?? [];
    if (!list.includes(c)) list.push(c);
    map.set(key, list);
  };
  for (const w of worldCountries) {
    const c: Country = {
      common: w.name.common,
      member: w.unMember,
      cca2: w.cca2,
      cca3: w.cca3,
      forms: new Set(),
    };
    const names = [w.name.common, w.name.official, ...w.altSpellings];
    const demonyms = w.demonyms?.eng ? [w.demonyms.eng.m, w.demonyms.eng.f] : [];
    for (const n of [w.cca2, w.cca3, ...names, ...demonyms]) c.forms.add(n.toLowerCase());
    for (const n of [w.cca2, w.cca3, ...w.altSpellings.filter((s) => /^[A-Z]{2,3}$/.test(s))])
      add(byCode, n, c);
    for (const n of [...names.filter((s) => !/^[A-Z]{2,3}$/.test(s)), ...demonyms]) {
      const key = n.toLowerCase().replace(/^the /, "");
      maxWords = Math.max(maxWords, key.split(" ").length);
      add(byWords, key, c);
    }
  }
  index = { byWords, byCode, maxWords };
  return index;
}

const COUNTRY_WORDS = /\b(countr(?:y|ies)|nationality|nation)\b/;

/**
 * The attribute holding countries: the only one whose name or description says so, or whose
 * enumerated values are two or more countries or nationalities (a `cuisine` of 'italian',
 * 'thai', …); none when two attributes qualify.
 */
const countryAttrCache = new WeakMap<object, AttributeInfo | null>();
export function countryAttribute(ctx: ParseContext): AttributeInfo | undefined {
  const { byWords } = countryIndex();
  const nationalities = (a: AttributeInfo) =>
    enumValues(a).filter(
      (e) => typeof e.value === "string" && byWords.has(e.value.toLowerCase().replace(/_/g, " ")),
    ).length >= 2;
  return soleAttribute(
    ctx,
    countryAttrCache,
    (a) => namedOrDescribed(a, COUNTRY_WORDS) || (a.type !== "boolean" && nationalities(a)),
  );
}

/** The country written as `attr` writes countries, or undefined when it has no such value. */
function countryValue(attr: AttributeInfo, c: Country): string | undefined {
  const spelled = (v: string) => c.forms.has(v.toLowerCase().replace(/_/g, " ").replace(/^the /, ""));
  if (attr.values?.length) {
    const v = enumValues(attr).find((e) => typeof e.value === "string" && spelled(e.value));
    return v?.value as string | undefined;
  }
  const examples = describedExamples(attr);
  const example = examples.find(spelled);
  if (example) return example;
  if (examples.length > 0 && examples.every((e) => /^[A-Z]{2}$/.test(e))) return c.cca2;
  if (examples.length > 0 && examples.every((e) => /^[A-Z]{3}$/.test(e))) return c.cca3;
  return c.common;
}

/**
 * Reads the countries of a request as values of the schema's country attribute (when it has
 * exactly one). Runs after enumerated and described values, so a word another attribute holds
 * ("Japanese" cuisine, "Spanish" as a language) keeps that reading; a name several countries or
 * territories share is read only when exactly one of them is a member state of the United Nations.
 */
export function extractCountries(ctx: ParseContext): void {
  const attr = countryAttribute(ctx);
  if (!attr) return;
  const { byWords, byCode, maxWords } = countryIndex();
  const { tokens } = ctx;
  for (let i = 0; i < tokens.length; i++) {
    const start = tokens[i]?.low === "the" ? i + 1 : i;
    for (let len = Math.min(maxWords, tokens.length - start); len >= 1; len--) {
      if (!allFree(ctx, i, start + len)) continue;
      const words = tokens.slice(start, start + len);
      const found =
        len === 1 && byCode.has(words[0]!.text)
          ? byCode.get(words[0]!.text)
          : byWords.get(words.map((t) => t.low).join(" "));
      // "Indian" is India's and the British Indian Ocean Territory's: the member state's
      const states = found && found.length > 1 ? found.filter((c) => c.member) : found;
      if (states?.length !== 1) continue;
      const value = countryValue(attr, states[0]!);
      if (value === undefined) continue;
      addMention(ctx, { attr, start: i, end: start + len, kind: "value", value, negated: false });
      i = start + len - 1;
      break;
    }
  }
}
