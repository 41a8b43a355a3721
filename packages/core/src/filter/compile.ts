import type { Metadata, MetadataValue } from "../types/document.js";
import type { NormalFilter, NormalLeaf } from "./normalize.js";
import { DOCUMENT_FIELD, type FilterScalar } from "./types.js";

/** A compiled filter: whether one record (metadata and document text) matches. */
export type RecordPredicate = (metadata: Metadata, text: string) => boolean;

/**
 * Lists (or groups of `eq`s over one field) with at least this many values are tested with a
 * `Set` (O(1) per record) instead of a linear scan; below it a scan of a few values is as fast.
 */
export const SET_MIN_VALUES = 8;

/**
 * The negative comparisons: each is the exact complement of its positive one (`ne` of `eq`,
 * `nin` of `in`, `ncontains` of `contains`), so each is true on a record that lacks the field.
 */
const NEGATIVE = new Set<NormalLeaf["op"]>(["ne", "nin", "ncontains"]);

/**
 * One comparison of the IR on one record, with the documented semantics (the reference).
 * Chroma 1.5 (and MongoDB for scalars) answer the same: on a missing field `ne`, `nin` and
 * `ncontains` are true and every other comparison is false; on an array-valued field `contains`
 * tests membership, `ncontains` its complement, `ne` and `nin` are true (an array never equals a
 * scalar) and the rest are false; on a scalar field `contains` is false and `ncontains` true.
 */
export function compareLeaf(leaf: NormalLeaf, metadata: Metadata, text: string): boolean {
  if (leaf.field === DOCUMENT_FIELD) {
    const found = text.includes(String(leaf.value));
    return leaf.op === "contains" ? found : !found;
  }
  if (!Object.hasOwn(metadata, leaf.field)) return NEGATIVE.has(leaf.op);
  const actual: MetadataValue = metadata[leaf.field]!;
  const value = leaf.value;
  if (Array.isArray(actual)) {
    // Array-valued fields answer contains / ncontains; they equal no scalar (as in Chroma).
    if (leaf.op === "contains") return (actual as unknown[]).includes(value);
    if (leaf.op === "ncontains") return !(actual as unknown[]).includes(value);
    return leaf.op === "ne" || leaf.op === "nin";
  }
  switch (leaf.op) {
    case "eq":
      return actual === value;
    case "ne":
      return actual !== value;
    case "gt":
      return typeof actual === "number" && actual > (value as number);
    case "gte":
      return typeof actual === "number" && actual >= (value as number);
    case "lt":
      return typeof actual === "number" && actual < (value as number);
    case "lte":
      return typeof actual === "number" && actual <= (value as number);
    case "in":
      return (value as unknown[]).includes(actual);
    case "nin":
      return !(value as unknown[]).includes(actual);
    case "ncontains":
      // a scalar field holds no element: the complement of contains, as in Chroma.
      return true;
    default:
      // contains on a scalar field: false, as in Chroma.
      return false;
  }
}

/** Interprets a normal-form filter on one record, node by node (the reference evaluator). */
export function evaluatePlain(filter: NormalFilter, metadata: Metadata, text: string): boolean {
  if (filter.op === "and") return filter.filters.every((f) => evaluatePlain(f, metadata, text));
  if (filter.op === "or") return filter.filters.some((f) => evaluatePlain(f, metadata, text));
  return compareLeaf(filter as NormalLeaf, metadata, text);
}

/**
 * Membership of a field's value in a set (`in`), or its complement (`nin`, `negate`): a
 * missing or array-valued field is in no set, so `in` is false there and `nin` true.
 */
function membership(field: string, values: Set<FilterScalar>, negate: boolean): RecordPredicate {
  return (metadata) => {
    if (!Object.hasOwn(metadata, field)) return negate;
    const actual = metadata[field]!;
    if (Array.isArray(actual)) return negate;
    return values.has(actual as FilterScalar) !== negate;
  };
}

function isLeaf(f: NormalFilter): f is NormalLeaf {
  return f.op !== "and" && f.op !== "or";
}

/**
 * Children of an `or` that are `eq`/`in` (of an `and`: `ne`/`nin`) on one metadata field say
 * "the field's value is (not) in the union of their values": they are merged into one
 * {@link membership} test when the union is large enough. `x = 1 or x = 2` is `x in [1, 2]`
 * (both false on a missing or array field), `x != 1 and x != 2` is `x nin [1, 2]` (both true
 * there).
 */
function compileJunction(op: "and" | "or", children: NormalFilter[]): RecordPredicate {
  const [single, list] = op === "or" ? (["eq", "in"] as const) : (["ne", "nin"] as const);
  const groups = new Map<string, FilterScalar[]>();
  const rest: NormalFilter[] = [];
  for (const c of children) {
    if (isLeaf(c) && c.field !== DOCUMENT_FIELD && (c.op === single || c.op === list)) {
      let values = groups.get(c.field);
      if (!values) {
        values = [];
        groups.set(c.field, values);
      }
      if (c.op === single) values.push(c.value as FilterScalar);
      else for (const v of c.value as FilterScalar[]) values.push(v);
    } else rest.push(c);
  }
  const parts: RecordPredicate[] = [];
  for (const [field, values] of groups) {
    if (values.length >= SET_MIN_VALUES) parts.push(membership(field, new Set(values), op === "and"));
    else {
      // too few to be worth a Set: keep the original children of this field
      for (const c of children) {
        if (isLeaf(c) && c.field === field && (c.op === single || c.op === list)) parts.push(compileNode(c));
      }
    }
  }
  for (const c of rest) parts.push(compileNode(c));
  if (parts.length === 1) return parts[0]!;
  const n = parts.length;
  if (op === "and") {
    return (metadata, text) => {
      for (let i = 0; i < n; i++) if (!parts[i]!(metadata, text)) return false;
      return true;
    };
  }
  return (metadata, text) => {
    for (let i = 0; i < n; i++) if (parts[i]!(metadata, text)) return true;
    return false;
  };
}

function compileNode(filter: NormalFilter): RecordPredicate {
  if (filter.op === "and" || filter.op === "or") return compileJunction(filter.op, filter.filters);
  const leaf = filter as NormalLeaf;
  if ((leaf.op === "in" || leaf.op === "nin") && (leaf.value as FilterScalar[]).length >= SET_MIN_VALUES) {
    return membership(leaf.field, new Set(leaf.value as FilterScalar[]), leaf.op === "nin");
  }
  return (metadata, text) => compareLeaf(leaf, metadata, text);
}

/**
 * Compiles a normal-form filter into a predicate, once per query: long `in`/`nin` lists and
 * `or`s of `eq`s over one field (`and`s of `ne`s) become `Set` lookups; everything else is
 * the reference semantics of {@link compareLeaf}. Gives the same answer as {@link evaluatePlain}
 * on every record.
 */
export function compileNormal(filter: NormalFilter): RecordPredicate {
  return compileNode(filter);
}
