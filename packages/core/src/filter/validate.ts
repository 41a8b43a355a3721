import { FilterError } from "../errors/errors.js";
import { DOCUMENT_FIELD, type Filter, type FilterScalar } from "./types.js";

const UNSAFE_FIELDS = new Set(["__proto__", "constructor", "prototype"]);
const SCALAR_OPS = new Set(["eq", "ne"]);
const RANGE_OPS = new Set(["gt", "gte", "lt", "lte"]);
const LIST_OPS = new Set(["in", "nin"]);
/** Longest accepted field name, in UTF-16 code units. */
export const MAX_FIELD_LENGTH = 256;
/** Most values accepted in one `in`/`nin` list. */
export const MAX_LIST_LENGTH = 10_000;
/** Deepest accepted nesting of and/or/not. */
export const MAX_FILTER_DEPTH = 32;
/** Most children accepted in one `and`/`or` (use `in` for long lists of alternatives). */
export const MAX_FILTER_CHILDREN = 1_024;
/** Most nodes (and/or/not/comparisons) accepted in one filter. */
export const MAX_FILTER_NODES = 4_096;
/** Most `in`/`nin` values accepted in one filter, over all its lists. */
export const MAX_FILTER_VALUES = 100_000;

/** Running totals of one validation, checked against the node and value budgets. */
interface Budget {
  nodes: number;
  values: number;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object" || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function isScalar(x: unknown): x is FilterScalar {
  return typeof x === "string" || typeof x === "boolean" || (typeof x === "number" && Number.isFinite(x));
}

function checkField(field: unknown, path: string): string {
  if (typeof field !== "string" || field.length === 0) {
    throw new FilterError("field must be a non-empty string", `${path}/field`);
  }
  if (field.length > MAX_FIELD_LENGTH) throw new FilterError("field name too long", `${path}/field`);
  if (UNSAFE_FIELDS.has(field)) throw new FilterError(`unsafe field name "${field}"`, `${path}/field`);
  if (field.startsWith("$") && field !== DOCUMENT_FIELD) {
    throw new FilterError(`field names may not start with "$" ("${field}")`, `${path}/field`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f]/.test(field))
    throw new FilterError("field name has control characters", `${path}/field`);
  return field;
}

/**
 * Checks that `filter` is a well-formed filter IR tree and returns it typed (a copy).
 *
 * Accepts any JSON-like input (e.g. parsed LLM output) and never trusts its prototype. The
 * size limits bound the work of one query (evaluation is O(nodes) per record, `in`/`nin` lists
 * are hashed once per query).
 * @param filter - untrusted input.
 * @param path - JSON-pointer-like prefix for error paths (e.g. when the filter is part of a larger document). @default ""
 * @throws FilterError with the `path` of the offending node for: a non-object node, an unknown
 * `op`, extra keys, an empty `and`/`or`, unsafe or `$`-prefixed field names (except `$document`
 * with `contains`), a non-finite number, a non-numeric range value, an empty or mixed-type
 * `in`/`nin` list, nesting deeper than {@link MAX_FILTER_DEPTH}, more than
 * {@link MAX_FILTER_CHILDREN} children in one `and`/`or`, more than {@link MAX_LIST_LENGTH}
 * values in one list, more than {@link MAX_FILTER_NODES} nodes or {@link MAX_FILTER_VALUES}
 * list values in the whole filter.
 */
export function validateFilter(filter: unknown, path = ""): Filter {
  return validateNode(filter, path, 0, { nodes: 0, values: 0 });
}

function validateNode(filter: unknown, path: string, depth: number, budget: Budget): Filter {
  if (depth > MAX_FILTER_DEPTH) throw new FilterError("filter nested too deeply", path);
  if (++budget.nodes > MAX_FILTER_NODES) {
    throw new FilterError(`filter has more than ${MAX_FILTER_NODES} nodes`, path);
  }
  if (!isPlainObject(filter)) throw new FilterError("filter node must be a plain object", path);
  const op = filter.op;
  const keys = Object.keys(filter);
  const allow = (expected: string[]) => {
    for (const key of keys) {
      if (!expected.includes(key))
        throw new FilterError(`unexpected key "${key}" in "${String(op)}" node`, path);
    }
  };
  if (op === "and" || op === "or") {
    allow(["op", "filters"]);
    const children = filter.filters;
    if (!Array.isArray(children) || children.length === 0) {
      throw new FilterError(`"${op}" needs a non-empty "filters" array`, path);
    }
    if (children.length > MAX_FILTER_CHILDREN) {
      throw new FilterError(
        `"${op}" has ${children.length} children, at most ${MAX_FILTER_CHILDREN} are allowed (use "in" for long lists of values)`,
        `${path}/filters`,
      );
    }
    return {
      op,
      filters: children.map((c, i) => validateNode(c, `${path}/filters/${i}`, depth + 1, budget)),
    };
  }
  if (op === "not") {
    allow(["op", "filter"]);
    return { op, filter: validateNode(filter.filter, `${path}/filter`, depth + 1, budget) };
  }
  if (typeof op !== "string") throw new FilterError('filter node needs a string "op"', path);
  allow(["op", "field", "value"]);
  const field = checkField(filter.field, path);
  const value = filter.value;
  if (field === DOCUMENT_FIELD && op !== "contains") {
    throw new FilterError(`"${DOCUMENT_FIELD}" only supports "contains"`, path);
  }
  if (SCALAR_OPS.has(op)) {
    if (!isScalar(value))
      throw new FilterError(`"${op}" needs a string, finite number or boolean`, `${path}/value`);
    return { op: op as "eq" | "ne", field, value };
  }
  if (RANGE_OPS.has(op)) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new FilterError(`"${op}" needs a finite number (dates as epoch milliseconds)`, `${path}/value`);
    }
    return { op: op as "gt" | "gte" | "lt" | "lte", field, value };
  }
  if (LIST_OPS.has(op)) {
    if (!Array.isArray(value) || value.length === 0) {
      throw new FilterError(`"${op}" needs a non-empty array`, `${path}/value`);
    }
    if (value.length > MAX_LIST_LENGTH) {
      throw new FilterError(
        `"${op}" list has ${value.length} values, at most ${MAX_LIST_LENGTH} are allowed`,
        `${path}/value`,
      );
    }
    budget.values += value.length;
    if (budget.values > MAX_FILTER_VALUES) {
      throw new FilterError(`filter has more than ${MAX_FILTER_VALUES} list values in all`, `${path}/value`);
    }
    const type = typeof value[0];
    value.forEach((v, i) => {
      if (!isScalar(v) || typeof v !== type) {
        throw new FilterError(`"${op}" values must be scalars of one type`, `${path}/value/${i}`);
      }
    });
    return { op: op as "in" | "nin", field, value: [...value] as FilterScalar[] };
  }
  if (op === "contains") {
    if (!isScalar(value)) throw new FilterError('"contains" needs a scalar value', `${path}/value`);
    if (field === DOCUMENT_FIELD && (typeof value !== "string" || value.length === 0)) {
      throw new FilterError(`"${DOCUMENT_FIELD}" contains needs a non-empty string`, `${path}/value`);
    }
    return { op, field, value };
  }
  throw new FilterError(`unknown operator "${op}"`, path);
}
