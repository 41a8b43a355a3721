import { ValidationError } from "@ragloom/core";
import { nameWords } from "./rules/tokenize.js";

/** Type of a metadata attribute. Dates are stored as epoch milliseconds (UTC) numbers. */
export type AttributeType = "string" | "number" | "boolean" | "date" | "string[]";

/** One enumerated value of an attribute with the other words users type for it. */
export interface EnumValue {
  /** The value as stored in metadata (`true`/`false` for boolean attributes). */
  value: string | boolean;
  /** Other spellings users type, e.g. `["k8s"]` for `kubernetes`. Matched case-insensitively. */
  synonyms?: string[];
}

/** Describes one filterable metadata attribute. */
export interface AttributeInfo {
  /** Metadata key, e.g. `published_at`. Its words (`published`, `at`) are cue words for the parser. */
  name: string;
  /** Value type; `string[]` attributes are filtered with `contains`. */
  type: AttributeType;
  /** What the attribute means; shown to the LLM parser. */
  description: string;
  /**
   * Enumerated values (strings; for booleans `true`/`false` with synonyms such as
   * `"open access"` / `"paywalled"`). When given for a string or `string[]` attribute, a filter
   * value outside this list is an error and typed values are matched to it, tolerating small typos.
   */
  values?: Array<string | EnumValue>;
  /** Words users type for the attribute itself, e.g. `["released", "year"]` or `["price", "$"]`. */
  synonyms?: string[];
  /**
   * Number attributes: unit words and the factor that converts them to the stored unit, e.g.
   * `{ minutes: 1, hours: 60 }` for a runtime stored in minutes. Unit words are also cue words.
   */
  units?: Record<string, number>;
  /**
   * Number attributes: whether the value is a calendar year (enables "the 90s", "in 2022",
   * "last year"). @default true when the name or a synonym has the word "year" (`model_year`,
   * `yearBuilt`; not `years_experience`), or the description's
   *   first phrase is a year ("harvest year, e.g. 2019", "year of first publication"; not "price
   *   per year" or "years of experience")
   */
  year?: boolean;
  /**
   * Number attributes: whether the attribute holds whole numbers only (JSON Schema's `integer`).
   * An amount the parser converts from another unit is rounded to the nearest whole number
   * ("at least 5 feet" on `height_cm` is `gte 152`, not 152.4). @default false
   */
  integer?: boolean;
  /**
   * Number attributes: smallest value the attribute holds, in the stored unit. The rule-based
   * parser never gives a number outside `[minimum, maximum]` to this attribute (it stays query
   * text), e.g. `{ name: "rating", minimum: 1, maximum: 5 }` keeps "rated 2000" out of the filter.
   * @default no bound (a year attribute: 0)
   */
  minimum?: number;
  /**
   * Number attributes: largest value the attribute holds, in the stored unit (see `minimum`).
   * @default no bound (a year attribute: 9999)
   */
  maximum?: number;
}

/** A set of attributes a request may filter on. */
export interface SelfQuerySchema {
  attributes: AttributeInfo[];
  /**
   * What one record of the collection is, e.g. `"recorded conference talks"` or `"dogs up for
   * adoption"` (LangChain's `documentContents`). The head noun of its first phrase ("talks",
   * "dogs") names the thing searched for and is never read as a filter value ("rust talks" is
   * no `format = talk`), unless a word of the attribute comes right before it ("good with other
   * dogs"). At most 500 characters. @default none
   */
  documentContents?: string;
}

/** Longest `documentContents` {@link defineSchema} accepts, in characters. */
export const MAX_DOCUMENT_CONTENTS_LENGTH = 500;

const TYPES = new Set<AttributeType>(["string", "number", "boolean", "date", "string[]"]);
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const UNSAFE = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Checks a schema and returns it frozen (deeply), so it can be shared safely.
 * @throws ValidationError for a missing/duplicate/unsafe attribute name (`__proto__`, `$…`,
 *   anything outside `[A-Za-z_][A-Za-z0-9_.-]*`), an unknown type, enum values on a number or
 *   date attribute, non-boolean values on a boolean attribute, `units` on a non-number attribute,
 *   a non-positive unit factor, `integer` on a non-number attribute, a `documentContents` that is
 *   not a string of at most 500 characters, or a `minimum`/`maximum` that is not a finite number on a number
 *   attribute (or exceeds the other).
 */
export function defineSchema(schema: SelfQuerySchema | AttributeInfo[]): SelfQuerySchema {
  const attributes = Array.isArray(schema) ? schema : schema?.attributes;
  if (!Array.isArray(attributes) || attributes.length === 0) {
    throw new ValidationError("a self-query schema needs a non-empty attributes array");
  }
  const seen = new Set<string>();
  const out: AttributeInfo[] = attributes.map((a, i) => {
    if (!a || typeof a !== "object") throw new ValidationError(`attribute ${i} must be an object`);
    if (typeof a.name !== "string" || !NAME.test(a.name) || UNSAFE.has(a.name)) {
      throw new ValidationError(`attribute ${i} has an invalid name ${JSON.stringify(a.name)}`);
    }
    if (seen.has(a.name)) throw new ValidationError(`duplicate attribute "${a.name}"`);
    seen.add(a.name);
    if (!TYPES.has(a.type))
      throw new ValidationError(`attribute "${a.name}" has unknown type "${String(a.type)}"`);
    if (typeof a.description !== "string")
      throw new ValidationError(`attribute "${a.name}" needs a description`);
    if (a.values !== undefined) {
      if (!Array.isArray(a.values) || a.values.length === 0) {
        throw new ValidationError(`attribute "${a.name}": values must be a non-empty array`);
      }
      if (a.type === "number" || a.type === "date") {
        throw new ValidationError(
          `attribute "${a.name}": enumerated values are for string, string[] and boolean attributes`,
        );
      }
      for (const v of a.values) {
        const value = typeof v === "object" && v !== null ? v.value : v;
        const ok =
          a.type === "boolean" ? typeof value === "boolean" : typeof value === "string" && value.length > 0;
        if (!ok)
          throw new ValidationError(`attribute "${a.name}": bad enumerated value ${JSON.stringify(value)}`);
        const syn = typeof v === "object" && v !== null ? v.synonyms : undefined;
        if (
          syn !== undefined &&
          (!Array.isArray(syn) || syn.some((s) => typeof s !== "string" || s.trim() === ""))
        ) {
          throw new ValidationError(
            `attribute "${a.name}": synonyms of ${JSON.stringify(value)} must be non-empty strings`,
          );
        }
      }
    }
    if (
      a.synonyms !== undefined &&
      (!Array.isArray(a.synonyms) || a.synonyms.some((s) => typeof s !== "string"))
    ) {
      throw new ValidationError(`attribute "${a.name}": synonyms must be strings`);
    }
    if (a.integer !== undefined) {
      if (a.type !== "number")
        throw new ValidationError(`attribute "${a.name}": integer is for number attributes`);
      if (typeof a.integer !== "boolean")
        throw new ValidationError(`attribute "${a.name}": integer must be true or false`);
    }
    for (const key of ["minimum", "maximum"] as const) {
      const b = a[key];
      if (b === undefined) continue;
      if (a.type !== "number")
        throw new ValidationError(`attribute "${a.name}": ${key} is for number attributes`);
      if (typeof b !== "number" || !Number.isFinite(b))
        throw new ValidationError(`attribute "${a.name}": ${key} must be a finite number`);
    }
    if (a.minimum !== undefined && a.maximum !== undefined && a.minimum > a.maximum)
      throw new ValidationError(`attribute "${a.name}": minimum is greater than maximum`);
    if (a.units !== undefined) {
      if (a.type !== "number")
        throw new ValidationError(`attribute "${a.name}": units are for number attributes`);
      for (const [u, f] of Object.entries(a.units)) {
        if (!(typeof f === "number" && Number.isFinite(f) && f > 0)) {
          throw new ValidationError(`attribute "${a.name}": unit "${u}" needs a positive factor`);
        }
      }
    }
    return structuredClone(a);
  });
  const contents = Array.isArray(schema) ? undefined : schema.documentContents;
  if (contents === undefined) return deepFreeze({ attributes: out });
  if (typeof contents !== "string" || contents.length > MAX_DOCUMENT_CONTENTS_LENGTH)
    throw new ValidationError(
      `documentContents must be a string of at most ${MAX_DOCUMENT_CONTENTS_LENGTH} characters`,
    );
  return deepFreeze({ attributes: out, documentContents: contents });
}

function deepFreeze<T>(x: T): T {
  if (x && typeof x === "object") {
    for (const v of Object.values(x)) deepFreeze(v);
    Object.freeze(x);
  }
  return x;
}

/** Canonical enumerated values of an attribute, with their synonyms. */
export function enumValues(attr: AttributeInfo): EnumValue[] {
  return (attr.values ?? []).map((v) => (typeof v === "object" ? v : { value: v }));
}

/**
 * A description whose first phrase (up to a comma, semicolon, parenthesis or "e.g.") names a
 * year: it ends in "year" ("harvest year", "model year") or begins with it ("year of
 * publication", "the year the company was founded"). A year as a rate or a span ("per year",
 * "years of") is no calendar year.
 */
const YEAR_PHRASE_END = /\byear$/;
const YEAR_PHRASE_START = /^(?:the\s+|calendar\s+)?year\b(?!s)/;
const NOT_CALENDAR = /\b(?:per|a|each|every|one|last|past|next)\s+year$/;

function describesYear(description: string | undefined): boolean {
  const head = (description ?? "")
    .toLowerCase()
    .split(/[,;:(]|\be\.g\.|\bi\.e\./)[0]!
    .trim();
  if (NOT_CALENDAR.test(head)) return false;
  return YEAR_PHRASE_END.test(head) || YEAR_PHRASE_START.test(head);
}

/** Whether a number attribute holds calendar years (see `AttributeInfo.year`). */
export function isYearAttribute(attr: AttributeInfo): boolean {
  if (attr.type !== "number") return false;
  if (attr.year !== undefined) return attr.year;
  // the word "year" in the name or a synonym ("model_year", "yearBuilt"); "years" is a span
  // ("years_experience", "age_years"), not a calendar year
  return (
    [attr.name, ...(attr.synonyms ?? [])].some((s) => nameWords(s).some((w) => w === "year" || w === "yr")) ||
    describesYear(attr.description)
  );
}

/**
 * The values a number attribute may hold, `[min, max]` in the stored unit: the declared
 * `minimum`/`maximum`, else `[0, 9999]` for a year attribute and the safe-integer range
 * (±2^53 - 1) for any other number attribute.
 */
export function numberRange(attr: AttributeInfo): [number, number] {
  const year = isYearAttribute(attr);
  return [
    attr.minimum ?? (year ? 0 : -Number.MAX_SAFE_INTEGER),
    attr.maximum ?? (year ? 9999 : Number.MAX_SAFE_INTEGER),
  ];
}
