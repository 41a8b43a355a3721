import { FilterError } from "../errors/errors.js";
import { type NormalFilter, type NormalLeaf, pushDownNot } from "../filter/normalize.js";
import { DOCUMENT_FIELD, type Filter, type FilterScalar } from "../filter/types.js";
import { validateFilter } from "../filter/validate.js";

/** A SQL boolean expression with `$n` placeholders and the values they stand for. */
export interface SqlFilter {
  /** e.g. `("metadata" @> $1::jsonb AND strpos("text", $2) > 0)`. */
  sql: string;
  /** Values of `$first`, `$first+1`, …, in order: strings and arrays of strings only. */
  params: Array<string | string[]>;
}

/** Options of {@link toPgFilter}. */
export interface PgFilterOptions {
  /** Quoted name of the JSONB metadata column. @default `"metadata"` */
  metadataColumn?: string;
  /** Quoted name of the text column (for `$document`). @default `"text"` */
  textColumn?: string;
  /** Number of the first placeholder, when the statement has parameters before the filter. @default 1 */
  firstParam?: number;
}

/** Whether a string can be stored in PostgreSQL text/JSONB unchanged (no NUL, no lone surrogate). */
export function isPgSafeString(s: string): boolean {
  return !UNSAFE.test(s);
}
/** A NUL character, or a high surrogate not followed by a low one, or a low one not after a high one. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Translates a filter (IR) into a PostgreSQL boolean expression over a JSONB metadata column and
 * a text column, with every value (and field name) passed as a parameter, never spliced into
 * the SQL. The semantics are the in-memory evaluator's (see `Filter`), so PostgreSQL returns the
 * same records:
 * - `eq` is JSONB containment `metadata @> {"field": value}` (type-exact, false on a missing or
 *   array field, served by a GIN `jsonb_path_ops` index); `contains` is
 *   `metadata @> {"field": [value]}` (true only on an array field holding `value`); `in` is
 *   `metadata -> field = ANY(values)`;
 * - `ne`, `nin` and `ncontains` (a negated `contains`) are their complements (`NOT` of a
 *   never-NULL expression), so they are true on a record that lacks the field, and `ne`/`nin` on
 *   an array-valued one;
 * - ranges require a JSONB number (false on a missing field, a string, a boolean, an array);
 * - `$document` `contains` is `strpos(text, value) > 0` (case-sensitive substring);
 * - `not` is pushed down first ({@link pushDownNot}); every leaf is TRUE or FALSE, never NULL.
 * @throws FilterError for an invalid filter (see `validateFilter`), or a string value holding a
 *   NUL character or a lone surrogate (PostgreSQL cannot store either, so it could never match).
 */
export function toPgFilter(filter: Filter | unknown, options: PgFilterOptions = {}): SqlFilter {
  const meta = options.metadataColumn ?? '"metadata"';
  const text = options.textColumn ?? '"text"';
  const params: Array<string | string[]> = [];
  const first = options.firstParam ?? 1;
  const param = (value: string | string[], cast = "") => {
    params.push(value);
    return `$${first + params.length - 1}${cast}`;
  };
  const json = (value: unknown) => JSON.stringify(value);
  const checkValue = (value: FilterScalar | FilterScalar[], path: string) => {
    for (const v of Array.isArray(value) ? value : [value])
      if (typeof v === "string" && !isPgSafeString(v))
        throw new FilterError("string values may not hold NUL characters or lone surrogates", path);
  };

  const leaf = (f: NormalLeaf, path: string): string => {
    checkValue(f.value, path);
    if (f.field === DOCUMENT_FIELD) {
      const needle = f.value as string;
      return `(strpos(${text}, ${param(needle)}) ${f.op === "contains" ? ">" : "="} 0)`;
    }
    const field = () => param(f.field, "::text");
    const value = f.value;
    const contains = (v: unknown) => `${meta} @> ${param(json({ [f.field]: v }), "::jsonb")}`;
    switch (f.op) {
      case "eq":
        return `(${contains(value)})`;
      case "contains":
        return `(${contains([value])})`;
      case "ne":
        return `(NOT ${contains(value)})`;
      case "ncontains":
        return `(NOT ${contains([value])})`;
      case "in":
      case "nin": {
        const list = param(
          (value as FilterScalar[]).map((v) => json(v)),
          "::jsonb[]",
        );
        const member = `(${meta} -> ${field()}) = ANY(${list})`;
        return f.op === "in" ? `COALESCE(${member}, false)` : `(NOT COALESCE(${member}, false))`;
      }
      default: {
        const op = { gt: ">", gte: ">=", lt: "<", lte: "<=" }[f.op];
        const x = `${meta} -> ${field()}`;
        return `COALESCE(jsonb_typeof(${x}) = 'number' AND (${x}) ${op} ${param(json(value), "::jsonb")}, false)`;
      }
    }
  };

  const node = (f: NormalFilter, path: string): string => {
    if (f.op === "and" || f.op === "or") {
      const parts = f.filters.map((c, i) => node(c, `${path}/filters/${i}`));
      return parts.length === 1 ? parts[0]! : `(${parts.join(f.op === "and" ? " AND " : " OR ")})`;
    }
    return leaf(f as NormalLeaf, path);
  };
  return { sql: node(pushDownNot(validateFilter(filter)), ""), params };
}
