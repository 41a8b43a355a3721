/**
 * Languages named in a request ("in Spanish, Portuguese or Italian", "speaks dutch"), as values
 * of the one attribute of a schema that holds languages. Language names are the English names of
 * ISO 639-1 (the iso-639-1 package), matched case-insensitively.
 */
import ISO6391 from "iso-639-1";
import { type AttributeInfo, enumValues } from "../schema.js";
import { describedExamples } from "./attribute-index.js";
import { addMention, allFree, type ParseContext } from "./context.js";
import { countryAttribute } from "./countries.js";
import { namedOrDescribed, soleAttribute } from "./sole-attribute.js";

let names: Map<string, string> | undefined;
let maxWords = 1;

/** Lower-case name (words joined by spaces) → the name as ISO 639-1 writes it. */
function languageNames(): Map<string, string> {
  if (names) return names;
  names = new Map();
  for (const n of ISO6391.getAllNames()) {
    names.set(n.toLowerCase(), n);
    maxWords = Math.max(maxWords, n.split(" ").length);
  }
  return names;
}

const LANGUAGE_WORDS = /\blanguages?\b/;

/** Words right before a language that say it is one: "in French", "speaks dutch", "dubbed into German". */
const LANGUAGE_CUES = new Set([
  "in",
  "into",
  "speak",
  "speaks",
  "speaking",
  "spoken",
  "speaker",
  "speakers",
  "dubbed",
  "subtitled",
  "subtitles",
  "language",
  "languages",
]);

/** The attribute holding languages: the only string attribute whose name or description says so. */
const languageAttrCache = new WeakMap<object, AttributeInfo | null>();
const languageAttribute = (ctx: ParseContext) =>
  soleAttribute(ctx, languageAttrCache, (a) => namedOrDescribed(a, LANGUAGE_WORDS));

/** The language as `attr` writes languages (its enumerated value, or the case of its examples). */
function languageValue(attr: AttributeInfo, name: string): string | undefined {
  if (attr.values?.length) {
    const v = enumValues(attr).find(
      (e) => typeof e.value === "string" && e.value.toLowerCase().replace(/_/g, " ") === name.toLowerCase(),
    );
    return v?.value as string | undefined;
  }
  const examples = describedExamples(attr);
  return examples.length > 0 && examples.every((e) => e === e.toLowerCase()) ? name.toLowerCase() : name;
}

/**
 * Reads language names as values of the schema's language attribute (when it has exactly one).
 * When the schema also holds countries, a name that is also a nationality ("French") is the
 * language only after a word saying so ("in", "speaks", "dubbed") or in a list that follows one;
 * otherwise {@link extractCountries} reads it. Runs after enumerated and described values.
 */
export function extractLanguages(ctx: ParseContext): void {
  const attr = languageAttribute(ctx);
  if (!attr) return;
  const byName = languageNames();
  const cueNeeded = countryAttribute(ctx) !== undefined;
  const { tokens } = ctx;
  const languageAt = (k: number) => {
    const owner = ctx.owner[k] ?? -1;
    return owner >= 0 && ctx.mentions[owner]?.attr === attr;
  };
  for (let i = 0; i < tokens.length; i++) {
    for (let len = Math.min(maxWords, tokens.length - i); len >= 1; len--) {
      if (!allFree(ctx, i, i + len)) continue;
      const name = byName.get(
        tokens
          .slice(i, i + len)
          .map((t) => t.low)
          .join(" "),
      );
      if (!name) continue;
      if (cueNeeded) {
        let k = i - 1;
        while (k >= 0 && [",", "or", "and"].includes(tokens[k]!.low)) k--;
        const listed = k < i - 1 && k >= 0 && languageAt(k);
        if (!listed && !LANGUAGE_CUES.has(tokens[i - 1]?.low ?? "")) continue;
      }
      const value = languageValue(attr, name);
      if (value === undefined) continue;
      addMention(ctx, { attr, start: i, end: i + len, kind: "value", value, negated: false });
      i += len - 1;
      break;
    }
  }
}
