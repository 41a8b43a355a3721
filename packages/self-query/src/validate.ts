import {
  type Filter,
  FilterError,
  type FilterScalar,
  MAX_FILTER_DEPTH,
  MAX_LIST_LENGTH,
  validateFilter,
} from "@ragloom/core";
import { type Clock, toClock } from "./clock.js";
import { type CompiledSchema, compileSchema, normText } from "./compiled-schema.js";
import { parseDateText } from "./dates.js";
import { SchemaFilterError } from "./errors.js";
import type { AttributeInfo, AttributeType, SelfQuerySchema } from "./schema.js";

/** Operators each attribute type accepts (`not` may wrap any of them). */
export const ALLOWED_OPERATORS: Readonly<Record<AttributeType, readonly string[]>> = {
  string: ["eq", "ne", "in", "nin"],
  number: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"],
  date: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"],
  boolean: ["eq", "ne"],
  "string[]": ["contains"],
};

const COMPARISONS = new Set(["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains"]);

/** Options of {@link validateSchemaFilter}. */
export interface ValidateSchemaFilterOptions {
  /**
   * Reference date for relative date text such as `"last March"`: a `Date` or a function returning
   * one; anything else is a ValidationError. @default the system clock
   */
  now?: Clock;
  /** Accept `contains` on the `$document` pseudo-field (document text). @default false */
  allowDocumentFilter?: boolean;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

const NUMBER_TEXT = /^[-+]?\$?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/;

function describe(v: unknown): string {
  const s =
    typeof v === "string"
      ? JSON.stringify(v.slice(0, 60))
      : String(typeof v === "object" ? JSON.stringify(v)?.slice(0, 60) : v);
  return s;
}

interface Ctx {
  schema: CompiledSchema;
  now: Date;
  allowDocument: boolean;
}

function coerceScalar(attr: AttributeInfo, value: unknown, path: string, ctx: Ctx): FilterScalar {
  const bad = (why: string): never => {
    throw new SchemaFilterError(
      "invalid_value",
      `"${attr.name}" (${attr.type}): ${why}, got ${describe(value)}`,
      path,
      attr.name,
    );
  };
  switch (attr.type) {
    case "number": {
      if (typeof value === "number") return Number.isFinite(value) ? value : bad("needs a finite number");
      if (typeof value === "string" && NUMBER_TEXT.test(value.trim()))
        return Number(value.replace(/[$,\s]/g, ""));
      return bad("needs a number");
    }
    case "date": {
      if (typeof value === "number") {
        if (!Number.isFinite(value)) return bad("needs a date");
        return Number.isInteger(value) && value >= 1000 && value <= 9999 ? Date.UTC(value, 0, 1) : value;
      }
      if (typeof value === "string") {
        const p = parseDateText(value, ctx.now);
        if (p) return p.start;
      }
      return bad("needs a date (ISO text or epoch milliseconds)");
    }
    case "boolean": {
      if (typeof value === "boolean") return value;
      if (typeof value === "string" || typeof value === "number") {
        const v = ctx.schema.canonical.get(attr.name)?.get(normText(String(value)));
        if (typeof v === "boolean") return v;
      }
      return bad("needs true or false");
    }
    default: {
      // string and string[] elements
      if (typeof value !== "string" && !(typeof value === "number" && Number.isFinite(value))) {
        return bad("needs a string");
      }
      const s = String(value);
      if (s.length === 0 || s.length > 1000)
        return bad("needs a non-empty string of at most 1000 characters");
      if (!attr.values) return s;
      const v = ctx.schema.canonical.get(attr.name)?.get(normText(s));
      if (typeof v === "string") return v;
      return bad(`is not one of the enumerated values`);
    }
  }
}

function leaf(node: Record<string, unknown>, path: string, ctx: Ctx): Filter {
  const op = node.op as string;
  const field = node.field;
  if (typeof field !== "string" || field.length === 0) {
    throw new SchemaFilterError("invalid_filter", "field must be a non-empty string", `${path}/field`);
  }
  if (field === "$document") {
    if (!ctx.allowDocument || op !== "contains") {
      throw new SchemaFilterError(
        "unknown_attribute",
        `document-text filters are not allowed here`,
        `${path}/field`,
        field,
      );
    }
    return validateFilter({ op, field, value: node.value }, path) as Filter;
  }
  const attr = ctx.schema.byName.get(field);
  if (!attr) {
    throw new SchemaFilterError(
      "unknown_attribute",
      `unknown attribute ${describe(field)}`,
      `${path}/field`,
      field.slice(0, 100),
    );
  }
  if (!ALLOWED_OPERATORS[attr.type].includes(op)) {
    throw new SchemaFilterError(
      "operator_not_allowed",
      `operator "${op}" is not allowed on "${attr.name}" (${attr.type}); use ${ALLOWED_OPERATORS[attr.type].join(", ")}`,
      `${path}/op`,
      attr.name,
    );
  }
  const vpath = `${path}/value`;
  if (op === "in" || op === "nin") {
    const list = node.value;
    if (!Array.isArray(list) || list.length === 0) {
      throw new SchemaFilterError(
        "invalid_value",
        `"${op}" on "${attr.name}" needs a non-empty array`,
        vpath,
        attr.name,
      );
    }
    if (list.length > MAX_LIST_LENGTH)
      throw new SchemaFilterError("invalid_value", `"${op}" list too long`, vpath, attr.name);
    const values = [...new Set(list.map((v, i) => coerceScalar(attr, v, `${vpath}/${i}`, ctx)))];
    return { op, field, value: values } as Filter;
  }
  if (attr.type === "date" && (op === "eq" || op === "ne") && typeof node.value === "string") {
    // "published = 2022" names a period, not an instant: expand to [start, end).
    const p = parseDateText(node.value, ctx.now);
    if (p && p.end > p.start) {
      return op === "eq"
        ? {
            op: "and",
            filters: [
              { op: "gte", field, value: p.start },
              { op: "lt", field, value: p.end },
            ],
          }
        : {
            op: "or",
            filters: [
              { op: "lt", field, value: p.start },
              { op: "gte", field, value: p.end },
            ],
          };
    }
  }
  const value = coerceScalar(attr, node.value, vpath, ctx);
  return { op, field, value } as Filter;
}

function walk(node: unknown, path: string, depth: number, ctx: Ctx): Filter {
  if (depth > MAX_FILTER_DEPTH)
    throw new SchemaFilterError("invalid_filter", "filter nested too deeply", path);
  if (!isPlainObject(node))
    throw new SchemaFilterError("invalid_filter", "filter node must be a plain object", path);
  const keys = Object.keys(node);
  const op = node.op;
  const allow = (expected: string[]) => {
    for (const k of keys) {
      if (!expected.includes(k)) {
        throw new SchemaFilterError(
          "invalid_filter",
          `unexpected key ${describe(k)} in "${String(op)}" node`,
          path,
        );
      }
    }
  };
  if (op === "and" || op === "or") {
    allow(["op", "filters"]);
    const children = node.filters;
    if (!Array.isArray(children) || children.length === 0) {
      throw new SchemaFilterError("invalid_filter", `"${op}" needs a non-empty "filters" array`, path);
    }
    if (children.length > MAX_LIST_LENGTH)
      throw new SchemaFilterError("invalid_filter", `"${op}" has too many children`, path);
    return { op, filters: children.map((c, i) => walk(c, `${path}/filters/${i}`, depth + 1, ctx)) };
  }
  if (op === "not") {
    allow(["op", "filter"]);
    return { op, filter: walk(node.filter, `${path}/filter`, depth + 1, ctx) };
  }
  if (typeof op !== "string" || !COMPARISONS.has(op)) {
    throw new SchemaFilterError("invalid_filter", `unknown operator ${describe(op)}`, `${path}/op`);
  }
  allow(["op", "field", "value"]);
  return leaf(node, path, ctx);
}

/**
 * Validates a filter (any JSON-like value, e.g. parsed LLM output) against an attribute schema
 * and returns a new, well-typed filter IR tree.
 *
 * Coercion: numbers from numeric text (`"1,200"`, `"$50"`); booleans from `true/false/yes/no/1/0`
 * and the attribute's value synonyms; dates from ISO text, chrono-readable text (`"March 2023"`)
 * or epoch milliseconds (an integer 1000–9999 is a year), normalised to epoch milliseconds (UTC)
 * at the start of the named period; strings from numbers; enumerated values matched
 * case-insensitively, with synonyms, to their canonical spelling. `eq`/`ne` on a date with a
 * day/month/year text value becomes the range of that period. Duplicate list values are dropped.
 * @throws SchemaFilterError (a `FilterError`) with `reason`: `invalid_filter` (not IR: bad node,
 *   unknown op, extra keys, too deep), `unknown_attribute` (incl. `$document` unless allowed),
 *   `operator_not_allowed` (see {@link ALLOWED_OPERATORS}), `invalid_value` (cannot be coerced,
 *   not an enumerated value, empty list).
 * @throws ValidationError when `now` is neither a valid `Date` nor a function returning one.
 */
export function validateSchemaFilter(
  filter: unknown,
  schema: SelfQuerySchema | CompiledSchema,
  options: ValidateSchemaFilterOptions = {},
): Filter {
  const compiled = "byName" in schema ? schema : compileSchema(schema);
  const ctx: Ctx = {
    schema: compiled,
    now: toClock(options.now)(),
    allowDocument: options.allowDocumentFilter ?? false,
  };
  const out = walk(filter, "", 0, ctx);
  try {
    return validateFilter(out);
  } catch (e) {
    if (e instanceof FilterError) {
      throw new SchemaFilterError("invalid_filter", e.message, e.path, undefined, { cause: e });
    }
    throw e;
  }
}
