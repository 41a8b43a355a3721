import type { AttributeInfo } from "../schema.js";
import { nameWords, singular } from "./tokenize.js";

/**
 * One measured dimension: unit words with their size in a common base unit, and which of them
 * may name the stored unit of an attribute.
 */
interface Dimension {
  /** Unit word (lower case) → size in the dimension's base unit. */
  sizes: Record<string, number>;
  /** Shortest word read as the stored unit (`h` alone is no duration: `h_index`). */
  minStored: number;
  /** Words offered only when the stored unit is one of them (a duration in minutes takes no "days"). */
  storedOnly?: ReadonlySet<string>;
}

/** Seconds per unit of time (days, weeks and fortnights only for an attribute stored in one of them). */
const TIME: Dimension = {
  sizes: {
    second: 1,
    seconds: 1,
    sec: 1,
    secs: 1,
    minute: 60,
    minutes: 60,
    min: 60,
    mins: 60,
    hour: 3600,
    hours: 3600,
    hr: 3600,
    hrs: 3600,
    h: 3600,
    day: 86_400,
    days: 86_400,
    week: 604_800,
    weeks: 604_800,
    fortnight: 1_209_600,
    fortnights: 1_209_600,
  },
  minStored: 2,
  storedOnly: new Set(["day", "days", "week", "weeks", "fortnight", "fortnights"]),
};

/**
 * Metres per unit of length (the international mile, foot and yard of 1959: 1609.344 m,
 * 0.3048 m, 0.9144 m).
 */
const LENGTH: Dimension = {
  sizes: {
    mm: 0.001,
    cm: 0.01,
    centimetres: 0.01,
    centimeters: 0.01,
    m: 1,
    metre: 1,
    metres: 1,
    meter: 1,
    meters: 1,
    km: 1000,
    kilometre: 1000,
    kilometres: 1000,
    kilometer: 1000,
    kilometers: 1000,
    mile: 1609.344,
    miles: 1609.344,
    ft: 0.3048,
    foot: 0.3048,
    feet: 0.3048,
    yard: 0.9144,
    yards: 0.9144,
    inch: 0.0254,
    inches: 0.0254,
  },
  minStored: 1,
};

/**
 * Kilograms per unit of mass (the international avoirdupois pound and ounce of 1959:
 * 0.45359237 kg, 1/16 lb). "pound" is left to currencies.
 */
const MASS: Dimension = {
  sizes: {
    g: 0.001,
    gram: 0.001,
    grams: 0.001,
    gramme: 0.001,
    grammes: 0.001,
    kg: 1,
    kgs: 1,
    kilo: 1,
    kilos: 1,
    kilogram: 1,
    kilograms: 1,
    kilogramme: 1,
    kilogrammes: 1,
    lb: 0.45359237,
    lbs: 0.45359237,
    oz: 0.45359237 / 16,
    ounce: 0.45359237 / 16,
    ounces: 0.45359237 / 16,
  },
  minStored: 1,
};

/**
 * Months per calendar unit of a duration stored in months or years ("3 years" is 36 months,
 * "18 months" 1.5 years, "a decade" 10 years); days and weeks, which do not divide months
 * evenly, are not offered.
 */
const CALENDAR: Dimension = {
  sizes: {
    month: 1,
    months: 1,
    mo: 1,
    mos: 1,
    year: 12,
    years: 12,
    yr: 12,
    yrs: 12,
    decade: 120,
    decades: 120,
  },
  minStored: 2,
};

/** Shares in percent ("14.5%", "13 percent"); one unit, so a stored unit converts by 1. */
const PERCENT: Dimension = {
  sizes: { percent: 1, "%": 1, pct: 1, percentage: 1 },
  minStored: 1,
};

/**
 * Bytes per unit of data size: SI prefixes are decimal (1 MB = 1000 kB, as package registries
 * and disk makers count), the IEC ones binary (1 MiB = 1024 KiB), after IEC 80000-13.
 */
const DATA: Dimension = {
  sizes: {
    byte: 1,
    bytes: 1,
    kb: 1e3,
    kilobyte: 1e3,
    kilobytes: 1e3,
    mb: 1e6,
    megabyte: 1e6,
    megabytes: 1e6,
    gb: 1e9,
    gigabyte: 1e9,
    gigabytes: 1e9,
    tb: 1e12,
    terabyte: 1e12,
    terabytes: 1e12,
    kib: 1024,
    mib: 1024 ** 2,
    gib: 1024 ** 3,
  },
  minStored: 2,
};

const DIMENSIONS: Dimension[] = [TIME, LENGTH, MASS, DATA, PERCENT, CALENDAR];

/** Stored-unit words that end attribute names but are no unit words in a request (`screen_in`). */
const NAME_UNITS: Record<string, string> = { in: "inch" };

/** The words of an attribute's name, a trailing unit abbreviation spelled out (`screen_in` → inch). */
function unitNameWords(name: string): string[] {
  const words = nameWords(name);
  const last = words.length > 1 ? NAME_UNITS[words.at(-1)!] : undefined;
  return last ? [...words.slice(0, -1), last] : words;
}

/** Whether a word is a unit of time (read as a duration, not a count of things). */
export function isTimeUnit(word: string): boolean {
  return TIME.sizes[word] !== undefined;
}

/**
 * Unit words of a number attribute that stores a measure (a duration, a length, a mass, a data size or a
 * percentage),
 * inferred when its name, declared unit words or description name the stored unit
 * ("total_minutes", "duration in minutes", "distance_km", "size in kilobytes", "weight_kg",
 * "screen_in", "duration_months", `units: { km: 1 }`): every unit word of that dimension with the factor that converts it to the
 * stored unit (`hours: 60` for minutes, `m: 0.001` for kilometres, `mb: 1000` for kilobytes).
 * The first word naming a unit decides; declared `units` win over inferred ones (the caller
 * spreads them last).
 */
export function inferredUnits(attr: AttributeInfo): Record<string, number> {
  if (attr.type !== "number") return {};
  const words = [
    ...unitNameWords(attr.name),
    ...Object.keys(attr.units ?? {}).map((u) => u.toLowerCase()),
    ...[...attr.description.toLowerCase().matchAll(/\bin (\p{L}+)\b/gu)].map((m) => m[1]!),
  ];
  for (const w of words)
    for (const dim of DIMENSIONS) {
      const base = dim.sizes[w];
      if (base === undefined || w.length < dim.minStored) continue;
      const out: Record<string, number> = {};
      for (const [u, size] of Object.entries(dim.sizes))
        if (!dim.storedOnly?.has(u) || dim.storedOnly.has(w)) out[u] = size / base;
      return out;
    }
  return {};
}

/** Words that end the noun phrase after "number of" ("open issues on the tracker"). */
const PHRASE_END = new Set([
  "on",
  "in",
  "at",
  "of",
  "for",
  "by",
  "to",
  "from",
  "with",
  "per",
  "that",
  "who",
  "the",
  "and",
  "or",
]);

/**
 * The counted noun of the words after "number of": the last plural of the noun phrase
 * ("Michelin stars", "open issues on the tracker" → `issues`), else its first word
 * ("participants enrolled" → `participants`).
 */
function countedNoun(phrase: string): string {
  const words: string[] = [];
  for (const w of phrase.trim().split(/\s+/)) {
    if (PHRASE_END.has(w)) break;
    words.push(w);
  }
  return [...words].reverse().find((w) => w.length > 3 && w.endsWith("s")) ?? words[0] ?? "";
}

/**
 * Unit words of a number attribute that counts things, from its description: "number of
 * participants enrolled" gives `participants` (and `participant`), "number of Michelin stars"
 * `stars`, "rating in stars" `stars`; each with factor 1. Units of measure are left to {@link inferredUnits}.
 */
export function countedUnits(attr: AttributeInfo): Record<string, number> {
  if (attr.type !== "number") return {};
  const out: Record<string, number> = {};
  const d = attr.description.toLowerCase();
  const words = [
    ...[...d.matchAll(/\bnumber of ((?:\p{L}[\p{L}-]*\s*){1,3})/gu)].map((m) => countedNoun(m[1]!)),
    ...[...d.matchAll(/\bin (\p{L}{3,}s)\b/gu)].map((m) => m[1]!),
  ].filter((w) => w.length >= 3);
  for (const w of words) {
    if (DIMENSIONS.some((dim) => dim.sizes[w] !== undefined)) continue;
    if (/^(the|this|these|those|its|their)$/.test(w)) continue;
    out[w] = 1;
    out[singular(w)] = 1;
  }
  return out;
}

/**
 * Whether a number attribute is a rating on a five-point scale ("average rating out of 5",
 * `maximum: 5` on `rating`), which people count in stars ("4.5 stars or higher").
 */
export function fivePointRating(attr: AttributeInfo): boolean {
  if (attr.type !== "number" || !nameWords(attr.name).some((w) => /^(?:rating|ratings|rated|score)$/.test(w)))
    return false;
  const d = attr.description.toLowerCase();
  return /\bout of (?:5|five)\b|\b(?:1|one)\s*(?:-|to)\s*(?:5|five)\b/.test(d) || attr.maximum === 5;
}
