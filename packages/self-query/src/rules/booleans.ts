/**
 * Yes/no attributes read from the words of their name and description: `pets_allowed` ("pets
 * are allowed") is true for "pet-friendly", "allows pets", "pets ok" and false for "pets are not
 * allowed"; `refundable` ("the fare can be refunded") is false for "no refunds"; a description
 * saying "contains no meat" makes "meat-free" true. Runs after enumerated values and phrases, so
 * declared synonyms win.
 */
import type { AttributeInfo } from "../schema.js";
import { cueStem } from "./attribute-index.js";
import { addMention, isFree, type ParseContext } from "./context.js";
import { nameWords, tokenize } from "./tokenize.js";

/** Root of a word for yes/no matching: plural, -ed, -ing, -able, -ly removed (`refundable` → `refund`). */
export function root(word: string): string {
  const w = word.toLowerCase().replace(/'s$/, "");
  const bare = w.replace(/(?:ably|ibly|able|ible|ly)$/, "");
  return cueStem(bare.length >= 3 ? bare : w);
}

/** Words that never carry the meaning of an attribute. */
const STOP = new Set(
  (
    "a an the is are was were be been being can could may might must should will would has have had " +
    "do does did whether if it its this that these those which who whom of to in on at by for from " +
    "with without into onto as or and nor not no yes currently fully already still ever so such " +
    "there their them they he she his her one ones some any all each per than then very just only " +
    "also again"
  ).split(" "),
);
/** Words that affirm what they follow ("pet-friendly", "pets ok", "pets welcome"). */
const AFFIRM = new Set(["ok", "okay", "friendly", "welcome", "allowed", "fine", "accepted", "included"]);
/** Words that may sit inside the phrase; "not" / "n't" turn it to false. */
const LINK = new Set([
  "are",
  "is",
  "be",
  "can",
  "not",
  "isn't",
  "aren't",
  "isnt",
  "arent",
  "can't",
  "cannot",
  "get",
  "got",
]);
/** Prefixes that negate the word they are glued to ("unavailable", "nonrefundable", "indoor" for "outdoor"). */
const NEGATING_PREFIXES = ["non", "un", "in", "im", "dis"];
const ADJECTIVE = /(?:able|ible|ed|ive|ful)$/;
/** Words before a bare noun form that make it a yes/no condition ("no refunds", "with refunds"). */
const NOUN_CUES = new Set(["no", "with", "without", "non", "any", "full", "zero"]);

interface YesNo {
  attr: AttributeInfo;
  /** Roots of the distinctive name words. */
  name: Set<string>;
  /** Roots of participles among several name words: not enough on their own. */
  verbs: Set<string>;
  /** The name words as written. */
  exact: Set<string>;
  /** Roots of adjective-like description words, enough on their own ("available"). */
  strong: Set<string>;
  /** Roots of the other description words, only beside a name word. */
  weak: Set<string>;
  /** Roots after "no"/"without" in the description: "<root>-free" means true. */
  absent: Set<string>;
  /** Roots of words the description gives a value to ("false for preprints", "false = rent only"). */
  describedAs: Map<string, boolean>;
}

const cache = new WeakMap<object, YesNo[]>();

function yesNoAttributes(ctx: ParseContext): YesNo[] {
  const hit = cache.get(ctx.schema);
  if (hit) return hit;
  // words that name other attributes or their values are not evidence for a yes/no attribute
  const taken = (w: string) => ctx.index.cues.has(cueStem(w)) || ctx.index.byKey.has(w);
  const out: YesNo[] = [];
  for (const attr of ctx.schema.attributes) {
    if (attr.type !== "boolean") continue;
    const all = nameWords(attr.name);
    // "app" in has_in_app_purchases: a word after a function word and before another name word
    // modifies that word ("in-app purchases") and names the attribute only beside it
    const modifiers = all.filter(
      (w, q) => q > 0 && q < all.length - 1 && STOP.has(all[q - 1]!) && !STOP.has(w) && w.length > 2,
    );
    const nameList = all.filter((w) => !STOP.has(w) && w.length > 2 && !modifiers.includes(w));
    const name = new Set(nameList.map(root));
    // participles of a name of several words ("allowed" in pets_allowed) need the noun beside them
    const verbs = new Set(nameList.length > 1 ? nameList.filter((w) => ADJECTIVE.test(w)).map(root) : []);
    const exact = new Set(nameList);
    const strong = new Set<string>();
    const weak = new Set<string>(modifiers.map(root));
    const absent = new Set<string>();
    const words = tokenize(attr.description.toLowerCase()).map((t) => t.low);
    words.forEach((w, k) => {
      if (STOP.has(w) || !/^\p{L}{3,}$/u.test(w)) return;
      const prev = words[k - 1];
      const prev2 = words[k - 2];
      if (prev === "no" || prev === "without" || (prev === "or" && prev2 && absent.size > 0))
        absent.add(root(w));
      if (name.has(root(w))) return;
      if (taken(w) && !ADJECTIVE.test(w)) return;
      // a participle of a word that names another attribute ("awarded" beside `award_usd`) is
      // evidence only beside a name word
      (ADJECTIVE.test(w) && !taken(root(w)) ? strong : weak).add(root(w));
    });
    // "(false for preprints)": the words a description gives a value to name that value; in
    // "(false = later pressing or reissue)" the head word of each alternative does
    const describedAs = new Map<string, boolean>();
    for (const m of attr.description
      .toLowerCase()
      .matchAll(
        /\b(true|false|yes|no)(?: (?:for|if|when|means)|\s*[=:]) (?:an? |the )?(\p{L}[\p{L}-]{2,})([^),;.]*)/gu,
      )) {
      const value = m[1] === "true" || m[1] === "yes";
      describedAs.set(root(m[2]!), value);
      const alternatives = `${m[2]}${m[3]}`.split(/\s+(?:or|and)\s+|\s*,\s*/).slice(1);
      for (const alt of alternatives) {
        const head = alt.trim().split(/\s+/).at(-1) ?? "";
        if (/^\p{L}[\p{L}-]{2,}$/u.test(head) && !name.has(root(head))) describedAs.set(root(head), value);
      }
    }
    // "a mix rather than a purebred": what the description sets against the attribute is false
    for (const m of attr.description
      .toLowerCase()
      .matchAll(/\b(?:rather than|instead of|as opposed to|unlike)\s+(?:an? |the )?(\p{L}[\p{L}-]{2,})/gu)) {
      const r = root(m[1]!);
      if (!name.has(r)) {
        describedAs.set(r, false);
        strong.delete(r);
        weak.delete(r);
      }
    }
    out.push({ attr, name, verbs, exact, strong, weak, absent, describedAs });
  }
  // a root two yes/no attributes share names neither
  for (const a of out)
    for (const b of out) {
      if (a === b) continue;
      for (const r of [...a.strong]) if (b.name.has(r) || b.strong.has(r)) a.strong.delete(r);
    }
  cache.set(ctx.schema, out);
  return out;
}

/**
 * The attribute a single word negates by a prefix glued to one of its name words:
 * "unreviewed" for `reviewed`, "nonrefundable" for `is_refundable`, and the contrasting
 * prefixes "in" for "out" ("indoor" for `outdoor`) and "single" / "mono" for "multi"
 * ("single-player" for `multiplayer`). Adjective forms only ("refundable", not "refund"), so "inform" or
 * "discount" never read as negations of `form` or `count`.
 */
function negatedByPrefix(attrs: YesNo[], low: string): YesNo | undefined {
  const word = low.replace(/-/g, "");
  for (const a of attrs) {
    for (const w of a.exact) {
      if (w.length < 4) continue;
      // contrasting prefixes: "in" for "out" ("indoor"), "single" / "mono" for "multi" ("single-player")
      const contrasts = w.startsWith("out")
        ? [`in${w.slice(3)}`]
        : w.startsWith("multi")
          ? [`single${w.slice(5)}`, `mono${w.slice(5)}`]
          : [];
      for (const p of NEGATING_PREFIXES)
        if (word.startsWith(p) && word.length - p.length >= 4 && root(word.slice(p.length)) === root(w))
          if (ADJECTIVE.test(word) || word.slice(p.length) === w) return a;
      if (contrasts.some((f) => word === f || word === `${f}s`)) return a;
    }
  }
  return undefined;
}

/**
 * "vat-unpaid" for `vat_paid`: a compound whose last part a prefix negates, its other parts words
 * of the same attribute's name.
 */
function negatedCompound(attrs: YesNo[], low: string): YesNo | undefined {
  const parts = low.split("-");
  if (parts.length < 2) return undefined;
  const a = negatedByPrefix(attrs, parts.at(-1)!);
  return a && parts.slice(0, -1).every((p) => a.name.has(root(p)) || a.exact.has(p)) ? a : undefined;
}

interface Part {
  word: string;
  token: number;
}

/** Finds yes/no attributes named by words of their name or description. */
export function extractYesNo(ctx: ParseContext): void {
  const attrs = yesNoAttributes(ctx);
  if (attrs.length === 0) return;
  const { tokens } = ctx;
  for (let i = 0; i < tokens.length; i++) {
    if (!isFree(ctx, i)) continue;
    // "no meat", "without fish" when the description says the thing is absent
    const lack = (tokens[i]!.low === "no" || tokens[i]!.low === "without") && isFree(ctx, i + 1);
    const absentOf = lack ? attrs.find((a) => a.absent.has(root(tokens[i + 1]?.low ?? ""))) : undefined;
    if (absentOf) {
      addMention(ctx, {
        attr: absentOf.attr,
        start: i,
        end: i + 2,
        kind: "value",
        value: true,
        negated: false,
      });
      i++;
      continue;
    }
    // one word that is false for an attribute: "ad-free" (without what a name word names; a
    // description saying it is absent makes "<root>-free" true, below) or a negating prefix
    // ("nonrefundable")
    const freeOf = /^(\p{L}{2,})-free$/u.exec(tokens[i]!.low)?.[1];
    const freeAttr = freeOf
      ? attrs.filter((a) => a.name.has(root(freeOf)) && !a.absent.has(root(freeOf)))
      : [];
    const falseFor =
      freeAttr.length === 1
        ? freeAttr[0]
        : (negatedByPrefix(attrs, tokens[i]!.low) ?? negatedCompound(attrs, tokens[i]!.low));
    // the contrasting prefix as a word of its own: "single player" for `multiplayer`
    const pair =
      !falseFor && /^(?:single|mono)$/.test(tokens[i]!.low) && isFree(ctx, i + 1) && tokens[i + 1]
        ? negatedByPrefix(attrs, tokens[i]!.low + tokens[i + 1]!.low)
        : undefined;
    if (falseFor || pair) {
      addMention(ctx, {
        attr: (falseFor ?? pair)!.attr,
        start: i,
        end: pair ? i + 2 : i + 1,
        kind: "value",
        value: false,
        negated: false,
      });
      continue;
    }
    const described = attrs.find((a) => a.describedAs.has(root(tokens[i]!.low)));
    if (described) {
      const value = described.describedAs.get(root(tokens[i]!.low))!;
      addMention(ctx, { attr: described.attr, start: i, end: i + 1, kind: "value", value, negated: false });
      continue;
    }
    // a phrase starts with a word of the attribute (never with a link or affirming word)
    // "non-oscar": the prefix negates what follows it
    const firstParts = tokens[i]!.low.split("-");
    const non = firstParts.length > 1 && firstParts[0] === "non";
    const head = root(firstParts[non ? 1 : 0]!);
    if (!attrs.some((a) => a.name.has(head) || a.strong.has(head) || a.weak.has(head) || a.absent.has(head)))
      continue;
    let best: { a: YesNo; end: number; value: boolean } | undefined;
    for (const a of attrs) {
      // the longest run of this attribute's words from token i
      const parts: Part[] = [];
      for (let k = i; k < tokens.length && k < i + 5 && isFree(ctx, k); k++) {
        const ws = tokens[k]!.low.split("-");
        if (!ws.every((w) => /^[\p{L}']+$/u.test(w))) break;
        for (const [q, w] of ws.entries())
          if (!(non && k === i && q === 0)) parts.push({ word: w, token: k });
      }
      let name = 0;
      let nouns = 0;
      let strong = 0;
      let bareNoun = false;
      let negated = non;
      let pending = false;
      let last = -1;
      for (let q = 0; q < parts.length; q++) {
        const { word } = parts[q]!;
        const r = root(word);
        if (word === "free" && q > 0 && a.absent.has(root(parts[q - 1]!.word))) {
          name++;
          last = q;
          continue;
        }
        if (a.name.has(r)) {
          name++;
          if (!a.verbs.has(r)) nouns++;
          // "refund" for `refundable`: a bare noun form, a filter only after no/with/without
          if (!a.exact.has(word) && !ADJECTIVE.test(word) && !a.verbs.has(r)) bareNoun = true;
        } else if (a.strong.has(r)) strong++;
        else if (LINK.has(word)) {
          if (q === 0) break;
          // "pets are not allowed": a negation counts once a word of the attribute follows it
          if (word === "not" || /n'?t$/.test(word) || word === "cannot") pending = !pending;
          continue;
        } else if (!(a.weak.has(r) || AFFIRM.has(word))) break;
        negated = negated !== pending;
        pending = false;
        last = q;
      }
      if (last < 0 || (name === 0 && strong === 0) || (nouns === 0 && strong === 0 && a.verbs.size > 0))
        continue;
      if (bareNoun && last === 0 && !NOUN_CUES.has(tokens[i - 1]?.low ?? "")) continue;
      // weak and affirming words alone are not enough; the phrase never ends on a link word
      const end = parts[last]!.token + 1;
      if (!best || end > best.end) best = { a, end, value: !negated };
    }
    if (!best) continue;
    addMention(ctx, {
      attr: best.a.attr,
      start: i,
      end: best.end,
      kind: "value",
      value: best.value,
      negated: false,
    });
    i = best.end - 1;
  }
}
