import type { Filter, FilterScalar } from "./types.js";

/** A comparison in negation normal form: the IR operators plus `ncontains` (negated contains). */
export interface NormalLeaf {
  op: "eq" | "ne" | "gt" | "gte" | "lt" | "lte" | "in" | "nin" | "contains" | "ncontains";
  field: string;
  value: FilterScalar | FilterScalar[];
}

/** A filter in negation normal form: no `not`, flattened `and`/`or`, no one-child `and`/`or`. */
export type NormalFilter = NormalLeaf | { op: "and" | "or"; filters: NormalFilter[] };

const NEGATED = {
  eq: "ne",
  ne: "eq",
  gt: "lte",
  gte: "lt",
  lt: "gte",
  lte: "gt",
  in: "nin",
  nin: "in",
  contains: "ncontains",
  ncontains: "contains",
} as const;

/**
 * Rewrites a (validated) filter into negation normal form: negations pushed down to the
 * comparisons by De Morgan's laws, nested `and`/`or` of the same kind flattened, one-child
 * `and`/`or` unwrapped. This defines the meaning of `not` for every store.
 */
export function pushDownNot(filter: Filter, negate = false): NormalFilter {
  switch (filter.op) {
    case "not":
      return pushDownNot(filter.filter, !negate);
    case "and":
    case "or": {
      const op = (filter.op === "and") !== negate ? "and" : "or";
      const children: NormalFilter[] = [];
      for (const child of filter.filters) {
        const normal = pushDownNot(child, negate);
        if (normal.op === op) children.push(...(normal as { filters: NormalFilter[] }).filters);
        else children.push(normal);
      }
      return children.length === 1 ? children[0]! : { op, filters: children };
    }
    default: {
      const op = negate ? NEGATED[filter.op] : filter.op;
      return { op, field: filter.field, value: filter.value };
    }
  }
}
