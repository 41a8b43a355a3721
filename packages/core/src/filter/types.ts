/** A scalar value a comparison can hold. Dates are epoch milliseconds (numbers). */
export type FilterScalar = string | number | boolean;

/** Comparison operators of the filter IR. */
export type ComparisonOperator = "eq" | "ne" | "gt" | "gte" | "lt" | "lte" | "in" | "nin" | "contains";

/** Equality and inequality on a field: `field = value` / `field != value`. */
export interface EqualityFilter {
  op: "eq" | "ne";
  field: string;
  value: FilterScalar;
}

/** Numeric range comparison (dates as epoch milliseconds). */
export interface RangeFilter {
  op: "gt" | "gte" | "lt" | "lte";
  field: string;
  value: number;
}

/** Set membership of a scalar field: `field ∈ values` / `field ∉ values`. `values` is non-empty. */
export interface MembershipFilter {
  op: "in" | "nin";
  field: string;
  value: FilterScalar[];
}

/**
 * `contains`: an array-valued field holds `value` (e.g. `tags contains "hooks"`).
 * On the special field {@link DOCUMENT_FIELD} it is a case-sensitive substring test on the
 * document text (Chroma `where_document.$contains`).
 */
export interface ContainsFilter {
  op: "contains";
  field: string;
  value: FilterScalar;
}

/** Conjunction / disjunction of at least one filter. */
export interface LogicalFilter {
  op: "and" | "or";
  filters: Filter[];
}

/** Negation. Semantics are those of pushing the negation down (De Morgan), see {@link pushDownNot}. */
export interface NotFilter {
  op: "not";
  filter: Filter;
}

export type ComparisonFilter = EqualityFilter | RangeFilter | MembershipFilter | ContainsFilter;

/**
 * The metadata filter intermediate representation shared by every store and by self-query.
 *
 * Semantics, the same in every store and those of Chroma 1.5 (and MongoDB, for scalar fields):
 * - `ne`, `nin` and `not contains` are the complements of `eq`, `in` and `contains`: true on a
 *   record that lacks the field (or has no metadata), and `ne`/`nin` true on an array-valued
 *   field, which equals no scalar;
 * - every other comparison on a missing field is false, so are `eq`/`in`/ranges on an array
 *   field (use `contains`), ranges on a non-number and `contains` on a scalar field.
 *
 * `not` is defined by pushing the negation down to comparisons (`not eq` = `ne`, `not in` =
 * `nin`, `not gt` = `lte`, De Morgan over `and`/`or`): `not (x = 1)` is true on a record without
 * `x`, `not (x > 1)` false.
 */
export type Filter = ComparisonFilter | LogicalFilter | NotFilter;

/** Pseudo-field that addresses the document text rather than metadata (only with `contains`). */
export const DOCUMENT_FIELD = "$document";
