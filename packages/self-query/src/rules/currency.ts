import type { AttributeInfo } from "../schema.js";
import { nameWords } from "./tokenize.js";

/**
 * Currencies by ISO 4217 code: the signs and words (with common slang: "bucks", "quid") that
 * write an amount in them. An amount is never converted between currencies; the code only says
 * which attribute the amount is for when a schema holds prices in several currencies.
 */
const CURRENCIES: Record<string, { signs: string[]; words: string[] }> = {
  usd: { signs: ["$"], words: ["usd", "dollar", "dollars", "buck", "bucks"] },
  eur: { signs: ["€"], words: ["eur", "euro", "euros"] },
  gbp: { signs: ["£"], words: ["gbp", "pound", "pounds", "quid", "sterling"] },
  jpy: { signs: ["¥"], words: ["jpy", "yen"] },
};

const BY_WORD = new Map<string, string>();
for (const [code, c] of Object.entries(CURRENCIES))
  for (const w of [...c.signs, ...c.words]) BY_WORD.set(w, code);

/** The ISO 4217 code (lower case) a currency sign or word writes (`£`, `quid` → `gbp`), if any. */
export function currencyCode(low: string): string | undefined {
  return BY_WORD.get(low);
}

/** Whether a token is a currency sign or word. */
export function isCurrency(low: string): boolean {
  return BY_WORD.has(low);
}

/**
 * The currency a number attribute holds amounts in, from its name words ("price_usd") or a
 * currency named in its description ("in GBP", "list price in US dollars", "price in euros").
 * `undefined` when none is named.
 */
export function attributeCurrency(attr: AttributeInfo): string | undefined {
  if (attr.type !== "number") return undefined;
  for (const w of nameWords(attr.name)) {
    const code = currencyCode(w);
    if (code && CURRENCIES[code]!.words[0] === w) return code;
  }
  for (const m of attr.description.toLowerCase().matchAll(/\bin (?:us |u\.s\. )?([\p{L}$€£¥]+)/gu)) {
    const code = currencyCode(m[1]!);
    if (code) return code;
  }
  return undefined;
}
