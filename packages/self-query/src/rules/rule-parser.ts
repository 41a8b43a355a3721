import { type Filter, ValidationError } from "@ragloom/core";
import { type Clock, toClock } from "../clock.js";
import { type CompiledSchema, compileSchema } from "../compiled-schema.js";
import { RequestTooLongError } from "../errors.js";
import type { SelfQuerySchema } from "../schema.js";
import type { SelfQueryParser, SelfQueryResult } from "../types.js";
import { validateSchemaFilter } from "../validate.js";
import { indexSchema } from "./attribute-index.js";
import { extractYesNo } from "./booleans.js";
import { applyNegation, combine } from "./combine.js";
import { LITERAL, type ParseContext } from "./context.js";
import { extractCountries } from "./countries.js";
import { extractZeroCounts } from "./counts.js";
import { extractDescribedLabels } from "./described-labels.js";
import { extractDescribedNumbers } from "./described-numbers.js";
import { protectItemNouns } from "./item-nouns.js";
import { extractLanguages } from "./languages.js";
import { EDGE_FILLER } from "./lexicon.js";
import { extendLists } from "./lists.js";
import { protectLiteralComparisons } from "./literals.js";
import { extractNames } from "./names.js";
import { normalizeRequest } from "./normalize.js";
import { compareOrderedValues } from "./ordered-values.js";
import { extractFirstN, extractOrdinals } from "./ordinals.js";
import { extractPlaces } from "./places.js";
import { extractQuantities } from "./quantities.js";
import { extractSeriesPositions } from "./series-positions.js";
import { extractShapedValues } from "./shapes.js";
import { tokenize } from "./tokenize.js";
import { extractFreeValues, extractValues } from "./values.js";
import { extractVersions } from "./versions.js";

/** Default of `maxRequestLength`: the longest request {@link parse} reads, in characters. */
export const DEFAULT_MAX_REQUEST_LENGTH = 2000;

/** Options of {@link createRuleBasedParser} and {@link parse}. */
export interface RuleParserOptions {
  /**
   * "Now" for relative dates ("last year", "past 3 months"): a fixed `Date` or a function returning
   * one (called once per parse); anything else is a ValidationError. @default the system clock
   */
  now?: Clock;
  /** Tolerate small typos in enumerated values (edit distance 1 from 5 characters, 2 from 9). @default true */
  fuzzy?: boolean;
  /**
   * What "after <period>" means on a date attribute: `end` reads "after March 2023" as
   * `>= 2023-04-01` (after the month has ended, as people and date pickers read it), `start` as
   * `> 2023-03-01`. Decades always use `end`. @default "end"
   */
  afterPeriod?: "start" | "end";
  /**
   * Longest accepted request, in characters (UTF-16 code units); a longer one is a
   * {@link RequestTooLongError} before any parsing. Parsing time grows linearly with the length.
   * @default 2000
   */
  maxRequestLength?: number;
}

/** How-to and definitional questions ("how do I …", "how early …", "what time …", "when should …", "why was I …"). */
const QUESTION =
  /^\s*(how (do|does|did|can|should|long|much|many|often|early|late|soon|far)|why|what(?:'s| is| are| does| do| happens| time)|when (do|does|did|should|can|is|are)|where (do|does|can|should)|does|do i|is it|can i|should i)\b/i;

/**
 * "What's/what is/what are" before a gerund asks for things doing something ("what's releasing
 * next month", "what is streaming in Spanish"): a search, not a definition.
 */
const SEARCH_QUESTION = /^\s*what(?:'s| is| are)\s+(?:\p{L}+ly\s+)?\p{L}{3,}ing\s+\S/iu;

const PUNCT = /^[^\p{L}\p{N}]+$/u;

function remainder(ctx: ParseContext): string {
  const kept = ctx.tokens.filter((_, i) => ctx.owner[i] === -1 || ctx.owner[i] === LITERAL);
  let a = 0;
  let b = kept.length;
  const drop = (t: { low: string }) =>
    EDGE_FILLER.has(t.low) || (PUNCT.test(t.low) && !/^["'“”]$/.test(t.low));
  while (a < b && drop(kept[a]!)) a++;
  while (b > a && drop(kept[b - 1]!)) b--;
  const words = kept.slice(a, b);
  let out = "";
  words.forEach((t, k) => {
    const prev = words[k - 1];
    const glued = prev && prev.end === t.start;
    out += k === 0 || glued || /^[,.;:!?)]$/.test(t.text) ? t.text : ` ${t.text}`;
  });
  return out
    .replace(/\s+,/g, ",")
    .replace(/,(\s*,)+/g, ",")
    .trim();
}

/**
 * Whether an "or" has a recognised condition right before it and an unread word right after it
 * that begins an alternative of its own: a capitalised word ("Sony or Bose headphones") or a word
 * not leading into a condition ("rent or buy in 2026", "guides or tutorials"). A word leading
 * into one ("nonstop or cost under $200") is part of that alternative.
 */
function unaccountedAlternative(ctx: ParseContext): boolean {
  const { tokens, owner } = ctx;
  for (let i = 1; i + 1 < tokens.length; i++) {
    if (tokens[i]!.low !== "or" || owner[i] !== -1 || owner[i - 1]! < 0) continue;
    const next = tokens[i + 1]!;
    if (owner[i + 1] !== -1 || EDGE_FILLER.has(next.low) || PUNCT.test(next.low)) continue;
    const leads = (owner[i + 2] ?? -1) >= 0;
    if (/^\p{Lu}/u.test(next.text) || !leads) return true;
  }
  return false;
}

/**
 * Parses a request with rules only (no model, no network): numbers and comparatives in words,
 * ranges, decades, absolute and relative dates, negation, lists, booleans, enumerated values and
 * synonyms (typo-tolerant), array membership, conjunctions and disjunctions.
 *
 * Numbers become filters only with a comparative, a unit or attribute word, or a currency sign;
 * bare years only after a date preposition ("from 2001") or an attribute word, never after
 * "like"/"called". Common words that are also values ("go", "express") need a cue ("in Go").
 * @returns `{ query, filter, parser: "rules", warnings }`; `filter` is validated against the schema.
 * The request is first normalised (NFKC, invisible characters removed, Cyrillic and Greek
 * look-alikes of Latin letters folded in Latin words); a comparison of two bare numbers (`1=1`)
 * stays query text; a number outside the range of the attribute it would filter stays query text;
 * a how-to or definitional question ("how do I …", "why …", "what's the difference …") gets no
 * filter and is kept whole as the query.
 * @throws RequestTooLongError (a ValidationError) for a request over `maxRequestLength`.
 * @throws ValidationError for a non-string request, a bad `maxRequestLength` or `now` (neither a
 *   valid `Date` nor a function returning one), or an invalid schema.
 */
export function parse(
  request: string,
  schema: SelfQuerySchema | CompiledSchema,
  options: RuleParserOptions = {},
): SelfQueryResult {
  if (typeof request !== "string") throw new ValidationError("request must be a string");
  const max = options.maxRequestLength ?? DEFAULT_MAX_REQUEST_LENGTH;
  if (!(Number.isInteger(max) && max > 0))
    throw new ValidationError("maxRequestLength must be a positive integer");
  if (request.length > max) throw new RequestTooLongError(request.length, max);
  const compiled = "byName" in schema ? schema : compileSchema(schema);
  const text = normalizeRequest(request);
  const tokens = tokenize(text);
  const ctx: ParseContext = {
    tokens,
    owner: new Int32Array(tokens.length).fill(-1),
    mentions: [],
    schema: compiled,
    index: indexSchema(compiled),
    now: toClock(options.now)(),
    afterPeriod: options.afterPeriod ?? "end",
    fuzzy: options.fuzzy ?? true,
    warnings: [],
  };
  protectLiteralComparisons(ctx);
  protectItemNouns(ctx);
  extractVersions(ctx);
  extractDescribedLabels(ctx);
  extractFirstN(ctx);
  extractQuantities(ctx);
  extractOrdinals(ctx);
  extractZeroCounts(ctx);
  extractPlaces(ctx);
  extractShapedValues(ctx);
  extractValues(ctx);
  compareOrderedValues(ctx);
  extractLanguages(ctx);
  extractCountries(ctx);
  extractFreeValues(ctx);
  extractNames(ctx);
  extractSeriesPositions(ctx);
  extractYesNo(ctx);
  extractDescribedNumbers(ctx);
  extendLists(ctx);
  applyNegation(ctx);
  const doubtful = unaccountedAlternative(ctx);
  let raw = combine(ctx);
  if (raw && doubtful) {
    // "python guides or tutorials" with no reading of "tutorials": a filter on one side of the
    // "or" would hide what the other side asks for, so no filter rather than a doubtful one
    ctx.warnings.push('one side of an "or" names no attribute: no filter, the request is the query');
    raw = null;
    ctx.owner.fill(-1);
  }
  let filter: Filter | null = null;
  if (raw) {
    try {
      filter = validateSchemaFilter(raw, compiled, { now: ctx.now });
    } catch {
      // keep the conditions that validate on their own; say which were dropped
      const ok: Filter[] = [];
      for (const m of ctx.mentions) {
        const leaf: Filter =
          m.kind === "range" ? m.filter! : { op: "eq", field: m.attr.name, value: m.value! };
        try {
          ok.push(
            validateSchemaFilter(m.negated ? { op: "not", filter: leaf } : leaf, compiled, { now: ctx.now }),
          );
        } catch (why) {
          ctx.warnings.push(`dropped a condition on "${m.attr.name}": ${(why as Error).message}`);
        }
      }
      filter = ok.length === 0 ? null : ok.length === 1 ? ok[0]! : { op: "and", filters: ok };
    }
  }
  if (filter && QUESTION.test(text) && !SEARCH_QUESTION.test(text)) {
    // a how-to or definitional question names values without asking to filter on them
    ctx.warnings.push("a how-to or definitional question: no filter, the whole request is the query");
    return { query: text.trim(), filter: null, parser: "rules", warnings: ctx.warnings };
  }
  return { query: remainder(ctx), filter, parser: "rules", warnings: ctx.warnings };
}

/**
 * A {@link SelfQueryParser} around {@link parse} (synchronous).
 * @throws ValidationError when `now` is neither a valid `Date` nor a function returning one.
 */
export function createRuleBasedParser(options: RuleParserOptions = {}): SelfQueryParser & {
  parse(request: string, schema: SelfQuerySchema): SelfQueryResult;
} {
  toClock(options.now); // a bad clock fails here, not at the first parse
  return {
    kind: "rules",
    parse: (request: string, schema: SelfQuerySchema) => parse(request, schema, options),
  };
}
