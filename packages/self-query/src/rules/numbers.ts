import { currencyCode, isCurrency } from "./currency.js";
import type { Token } from "./tokenize.js";

export const ONES: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  dozen: 12,
  couple: 2,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Record<string, number> = {
  hundred: 100,
  thousand: 1000,
  million: 1_000_000,
  billion: 1_000_000_000,
};
const DECADE_WORDS: Record<string, number> = {
  twenties: 1920,
  thirties: 1930,
  forties: 1940,
  fifties: 1950,
  sixties: 1960,
  seventies: 1970,
  eighties: 1980,
  nineties: 1990,
  noughties: 2000,
  aughts: 2000,
};

/** A number read from the request. */
export interface NumberRead {
  value: number;
  /** Token index after the number. */
  end: number;
  /** Written with a currency sign or word. */
  currency: boolean;
  /** ISO 4217 code (lower case) of that sign or word (`£`, `quid` → `gbp`); none for "grand". */
  currencyCode?: string | undefined;
  /** A unit glued to the digits (`2h`, `300mb`), lower case. */
  unit?: string;
  /** Spelled in words ("five"). */
  words: boolean;
  /** Plain integer digits without separators or suffix (a year candidate). */
  plainInteger: boolean;
}

/** A decade read from the request ("the 90s", "1990s", "nineties", "early 2000s"): years `[from, to]`. */
export interface DecadeRead {
  from: number;
  to: number;
  end: number;
}

/** Longest number in words, in tokens ("nine hundred and ninety-nine thousand ..."); longer runs are text. */
const MAX_NUMBER_WORDS = 12;
/** Most digits a number may have: a double holds 15 significant decimal digits exactly. */
const MAX_DIGITS = 15;

function wordNumber(tokens: Token[], i: number): { value: number; end: number } | undefined {
  let total = 0;
  let current = 0;
  let j = i;
  let any = false;
  if (tokens[j]?.low === "a" || tokens[j]?.low === "an") {
    const next = tokens[j + 1]?.low ?? "";
    if (SCALES[next] || next === "dozen" || next === "couple") {
      current = 1;
      j++;
    } else return undefined;
  }
  while (j < tokens.length) {
    // bounded so that a long run of number words is read in linear time (and is not a number)
    if (j - i >= MAX_NUMBER_WORDS) return undefined;
    const parts = tokens[j]!.low.split("-");
    let ok = true;
    for (const w of parts) {
      if (w in ONES) current += ONES[w]!;
      else if (w in TENS) current += TENS[w]!;
      else if (w in SCALES) {
        const s = SCALES[w]!;
        if (s === 100) current = (current || 1) * 100;
        else {
          total += (current || 1) * s;
          current = 0;
        }
      } else ok = false;
    }
    if (!ok) break;
    any = true;
    j++;
    if (
      tokens[j]?.low === "and" &&
      tokens[j + 1] &&
      /^(one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)/.test(
        tokens[j + 1]!.low,
      ) &&
      current >= 100
    )
      j++;
    if (tokens[j]?.low === "of" && tokens[j - 1]?.low === "couple") j++;
  }
  if (!any) return undefined;
  return { value: total + current, end: j };
}

/**
 * Reads a number at token `i`: digits (`1,200`, `4.5`, `10k`, `2h`), a currency sign before or
 * after, or words (`five`, `twenty-five`, `a hundred`, `two thousand`). Digits beyond 15
 * significant ones (more than a double holds exactly) and runs of more than 12 number words are
 * not numbers: they stay query text.
 */
export function readNumber(tokens: Token[], i: number): NumberRead | undefined {
  let j = i;
  let currency = false;
  let code: string | undefined;
  if (tokens[j] && isCurrency(tokens[j]!.low) && tokens[j]!.low.length === 1) {
    currency = true;
    code = currencyCode(tokens[j]!.low);
    j++;
  }
  const t = tokens[j];
  if (!t) return undefined;
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([a-z]*)$/.exec(t.low);
  if (m) {
    if ((m[1]! + (m[2] ?? "")).replace(/[,.]/g, "").replace(/^0+(?=\d)/, "").length > MAX_DIGITS)
      return undefined;
    let value = Number(m[1]!.replace(/,/g, "") + (m[2] ?? ""));
    const suffix = m[3] ?? "";
    let unit: string | undefined;
    if (suffix === "k") value *= 1000;
    else if (suffix === "m" && currency) value *= 1_000_000;
    else if (suffix === "s" || /^(st|nd|rd|th)$/.test(suffix)) return undefined;
    else if (suffix) unit = suffix;
    j++;
    if (
      tokens[j] &&
      (tokens[j]!.low === "k" || tokens[j]!.low === "thousand") &&
      tokens[j]!.start === tokens[j - 1]!.end
    ) {
      value *= 1000;
      j++;
    } else if (tokens[j] && !suffix && isGrand(tokens, j)) {
      // "15 grand": thousands of money
      value *= 1000;
      currency = true;
      j++;
    } else if (tokens[j] && !suffix && SCALES[tokens[j]!.low] && tokens[j]!.low !== "hundred") {
      // "1.2 million", "3 thousand"
      value *= SCALES[tokens[j]!.low]!;
      j++;
    }
    if (tokens[j] && isCurrency(tokens[j]!.low)) {
      currency = true;
      code ??= currencyCode(tokens[j]!.low);
      j++;
    }
    return {
      value,
      end: j,
      currency,
      currencyCode: code,
      unit,
      words: false,
      plainInteger: !m[2] && !suffix && !m[1]!.includes(","),
    };
  }
  if (currency) return undefined;
  if ((t.low === "a" || t.low === "one") && isGrand(tokens, j + 1))
    return { value: 1000, end: j + 2, currency: true, words: true, plainInteger: false };
  const w = wordNumber(tokens, j);
  if (!w) return undefined;
  let end = w.end;
  if (tokens[end] && isCurrency(tokens[end]!.low)) {
    currency = true;
    code = currencyCode(tokens[end]!.low);
    end++;
  }
  return { value: w.value, end, currency, currencyCode: code, words: true, plainInteger: false };
}

/**
 * Slang "grand" (a thousand, of money) at token `j`: only when no word follows that it could
 * qualify ("a grand hotel", "grand piano" are not amounts).
 */
function isGrand(tokens: Token[], j: number): boolean {
  if (tokens[j]?.low !== "grand") return false;
  const next = tokens[j + 1];
  return !next || !/^\p{L}/u.test(next.low) || GRAND_FOLLOWERS.has(next.low);
}
/** Words that may follow an amount in "grand" ("15 grand or less", "a grand max"). */
const GRAND_FOLLOWERS = new Set([
  "or",
  "and",
  "for",
  "in",
  "with",
  "max",
  "maximum",
  "tops",
  "at",
  "to",
  "but",
  "a",
  "per",
  "each",
  "budget",
  "total",
  "that",
  "which",
  "without",
  "including",
  "from",
  "on",
]);

function twoDigitDecade(n: number): number {
  return n < 30 ? 2000 + n : 1900 + n;
}

/** Reads a decade at token `i` (optionally after "early", "mid", "late"). */
export function readDecade(tokens: Token[], i: number): DecadeRead | undefined {
  let j = i;
  let part: "early" | "mid" | "late" | undefined;
  const first = tokens[j]?.low;
  if (first === "early" || first === "mid" || first === "late" || first === "mid-") {
    part = first === "mid-" ? "mid" : first;
    j++;
    if (tokens[j]?.low === "-") j++;
  }
  const t = tokens[j];
  if (!t) return undefined;
  let start: number | undefined;
  const m = /^(\d{2}|\d{4})(?:'s|s)$/.exec(t.low);
  let end = j + 1;
  if (m) {
    const n = Number(m[1]);
    start = m[1]!.length === 2 ? twoDigitDecade(n) : n;
  } else if (/^'(\d{2})'?s$/.test(t.low)) {
    start = twoDigitDecade(Number(t.low.slice(1, 3)));
  } else if (/^(\d{2}|\d{4})$/.test(t.low) && tokens[j + 1]?.low === "'" && tokens[j + 2]?.low === "s") {
    const n = Number(t.low);
    start = t.low.length === 2 ? twoDigitDecade(n) : n;
    end = j + 3;
  } else if (t.low in DECADE_WORDS) {
    start = DECADE_WORDS[t.low];
  } else if (/^(nineteen|twenty)-(\p{L}+)$/u.test(t.low)) {
    // "nineteen-nineties", "twenty-twenties": the century word names the century
    const [century, decade] = t.low.split("-") as [string, string];
    if (decade in DECADE_WORDS)
      start = (century === "nineteen" ? 1900 : 2000) + (DECADE_WORDS[decade]! % 100);
  } else if (/^mid-(\d{2}|\d{4})s$/.test(t.low)) {
    const n = /^mid-(\d+)s$/.exec(t.low)![1]!;
    start = n.length === 2 ? twoDigitDecade(Number(n)) : Number(n);
    part = "mid";
  }
  if (start === undefined || start % 10 !== 0 || start < 1000 || start > 2100) return undefined;
  if (part === "early") return { from: start, to: start + 3, end };
  if (part === "mid") return { from: start + 3, to: start + 6, end };
  if (part === "late") return { from: start + 7, to: start + 9, end };
  return { from: start, to: start + 9, end };
}
