/**
 * Amounts per period ("$2,000 a month", "£300 per week", "50k annually") and the period an
 * attribute stores ("value of the award per year", `salary_monthly`): an amount written per one
 * period is converted to the stored one (12 months, 52 weeks or 365 days to the year; 7 days to the
 * week).
 */
import type { AttributeInfo } from "../schema.js";
import type { ParseContext } from "./context.js";
import { nameWords } from "./tokenize.js";

type Period = "day" | "week" | "month" | "year";

/** Periods per year. */
const PER_YEAR: Record<Period, number> = { day: 365, week: 52, month: 12, year: 1 };

const PERIOD_WORDS: Record<string, Period> = {
  day: "day",
  week: "week",
  wk: "week",
  month: "month",
  mo: "month",
  year: "year",
  yr: "year",
  annum: "year",
};
const ADVERBS: Record<string, Period> = {
  daily: "day",
  weekly: "week",
  monthly: "month",
  yearly: "year",
  annually: "year",
  annual: "year",
};
const PER = new Set(["a", "an", "per", "each", "every", "/"]);

/** The period an amount right at token `i` is written per, and the token after it. */
export function readRate(ctx: ParseContext, i: number): { period: Period; end: number } | undefined {
  const t = ctx.tokens;
  const w = t[i]?.low ?? "";
  if (ADVERBS[w]) return { period: ADVERBS[w]!, end: i + 1 };
  const p = PERIOD_WORDS[t[i + 1]?.low ?? ""];
  if (PER.has(w) && p) return { period: p, end: i + 2 };
  return undefined;
}

/** The period a money attribute stores its amounts per, from its name or description, if any. */
export function storedPeriod(attr: AttributeInfo): Period | undefined {
  for (const w of nameWords(attr.name)) if (ADVERBS[w]) return ADVERBS[w];
  const d = attr.description.toLowerCase();
  const per = /\b(?:per|a|an|each|every)\s+(day|week|month|year|annum)\b/.exec(d)?.[1];
  if (per) return PERIOD_WORDS[per];
  const adverb = /\b(daily|weekly|monthly|yearly|annually|annual)\b/.exec(d)?.[1];
  return adverb ? ADVERBS[adverb] : undefined;
}

/** Factor from an amount per `period` to the attribute's stored period (1 when it stores none). */
export function rateFactor(attr: AttributeInfo, period: Period): number {
  const stored = storedPeriod(attr);
  if (!stored) return 1;
  if (period === "day" && stored === "week") return 7;
  if (period === "week" && stored === "day") return 1 / 7;
  return PER_YEAR[period] / PER_YEAR[stored];
}
