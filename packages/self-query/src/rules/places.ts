/**
 * Free-text values named by where they are: the start or end of a trip ("from SFO", "to LAX")
 * and a place ("jobs in Chicago"), for string attributes without enumerated values whose name or
 * description says what they hold.
 */
import type { AttributeInfo } from "../schema.js";
import { describedExamples, stemmedKey } from "./attribute-index.js";
import { addMention, allFree, isFree, type ParseContext } from "./context.js";
import { matchesAt } from "./phrases.js";
import { nameWords } from "./tokenize.js";

type Role = "from" | "to" | "place";

/** Words of a name or description that say an attribute is a start, an end or a place. */
const ROLE_WORDS: Array<[Role, RegExp]> = [
  ["from", /\b(origin|departure|departing|source|sender|pickup|start(?:ing)? point)\b/],
  ["to", /\b(destination|arrival|arriving|target|recipient|drop-?off)\b/],
  ["place", /\b(city|town|country|region|location|place|office|venue|neighbou?rhood)\b/],
];

/** Cue phrases of each role, longest first. */
const ROLE_CUES: Record<Role, string[][]> = {
  from: [
    ["departing", "from"],
    ["leaving", "from"],
    ["flying", "from"],
    ["out", "of"],
    ["departing"],
    ["leaving"],
    ["from"],
  ],
  to: [
    ["arriving", "in"],
    ["arriving", "at"],
    ["flying", "to"],
    ["bound", "for"],
    ["going", "to"],
    ["into"],
    ["to"],
  ],
  place: [["based", "in"], ["located", "in"], ["in"], ["near"]],
};

interface PlaceAttr {
  attr: AttributeInfo;
  role: Role;
  /** Value shape: codes in capitals ("JFK") when every example is one, else capitalised words. */
  codes: boolean;
}

const CODE = /^[A-Z][A-Z0-9]{1,4}$/;
const CAPITALISED = /^\p{Lu}[\p{L}'’.-]*$/u;

/** The start, end and place attributes of a schema, from their names and descriptions. */
export const placeAttributesCache = new WeakMap<object, PlaceAttr[]>();

function placeAttributes(ctx: ParseContext): PlaceAttr[] {
  const hit = placeAttributesCache.get(ctx.schema);
  if (hit) return hit;
  const out: PlaceAttr[] = [];
  for (const attr of ctx.schema.attributes) {
    if (attr.type !== "string" || attr.values?.length) continue;
    const text = `${nameWords(attr.name).join(" ")} ${attr.description.toLowerCase()}`;
    const role = ROLE_WORDS.find(([, re]) => re.test(text))?.[0];
    if (!role) continue;
    const examples = describedExamples(attr);
    out.push({ attr, role, codes: examples.length > 0 && examples.every((e) => CODE.test(e)) });
  }
  // a role that two attributes claim names neither
  const kept = out.filter((p) => out.filter((q) => q.role === p.role).length === 1);
  placeAttributesCache.set(ctx.schema, kept);
  return kept;
}

/** Capitalised words that are not places: months, weekdays, language and nationality adjectives. */
const NOT_PLACE =
  /^(?:jan(?:uary)?|feb(?:ruary)?|march|april|may|june|july|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|(?:mon|tues|wednes|thurs|fri|satur|sun)day|\p{L}+(?:ish|ese))$/iu;

/** Whether token `i` can be (the start of) a value of `p`; returns its end or -1. */
export function placeValueEnd(ctx: ParseContext, p: PlaceAttr, i: number): number {
  const t = ctx.tokens[i];
  if (!t || !isFree(ctx, i)) return -1;
  if (p.codes) return CODE.test(t.text) ? i + 1 : -1;
  if (NOT_PLACE.test(t.text)) return -1;
  let k = i;
  while (k < i + 3 && isFree(ctx, k) && CAPITALISED.test(ctx.tokens[k]?.text ?? "")) k++;
  return k;
}

/** Whether words at `i..end` are a known value of some attribute ("in Go", "in Python"). */
function knownValue(ctx: ParseContext, i: number, end: number, places: PlaceAttr[]): boolean {
  const key = stemmedKey(ctx.tokens.slice(i, end).map((t) => t.low));
  // examples quoted for another start/end/place attribute do not count ("from LHR")
  return (ctx.index.byKey.get(key) ?? []).some((ph) => !places.some((p) => p.attr === ph.attr));
}

/**
 * Reads "from SFO", "to LAX", "out of Denver", "in Chicago" as values of the attribute holding
 * the start, the end or the place. Runs before enumerated values so a cue decides between two
 * attributes whose described examples overlap ("from LHR" is a start even when the description
 * of the end quotes 'LHR'). A capitalised word at the start of a sentence is not taken.
 */
export function extractPlaces(ctx: ParseContext): void {
  const places = placeAttributes(ctx);
  if (places.length === 0) return;
  const { tokens } = ctx;
  for (let i = 0; i < tokens.length; i++) {
    if (!isFree(ctx, i)) continue;
    for (const p of places) {
      const cue = ROLE_CUES[p.role].find((c) => matchesAt(tokens, i, c) && allFree(ctx, i, i + c.length));
      if (!cue) continue;
      const at = i + cue.length;
      const end = placeValueEnd(ctx, p, at);
      if (end <= at || knownValue(ctx, at, end, places)) continue;
      const value = tokens
        .slice(at, end)
        .map((t) => t.text)
        .join(" ");
      addMention(ctx, { attr: p.attr, start: i, end, kind: "value", value, negated: false });
      i = end - 1;
      break;
    }
  }
}
