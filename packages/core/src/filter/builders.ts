import type { Filter, FilterScalar } from "./types.js";

/**
 * Small constructors for the filter IR, e.g.
 * `F.and(F.eq("package", "vitest"), F.gte("year", 2023))`.
 */
export const F = {
  eq: (field: string, value: FilterScalar): Filter => ({ op: "eq", field, value }),
  ne: (field: string, value: FilterScalar): Filter => ({ op: "ne", field, value }),
  gt: (field: string, value: number): Filter => ({ op: "gt", field, value }),
  gte: (field: string, value: number): Filter => ({ op: "gte", field, value }),
  lt: (field: string, value: number): Filter => ({ op: "lt", field, value }),
  lte: (field: string, value: number): Filter => ({ op: "lte", field, value }),
  in: (field: string, value: FilterScalar[]): Filter => ({ op: "in", field, value }),
  nin: (field: string, value: FilterScalar[]): Filter => ({ op: "nin", field, value }),
  contains: (field: string, value: FilterScalar): Filter => ({ op: "contains", field, value }),
  and: (...filters: Filter[]): Filter => ({ op: "and", filters }),
  or: (...filters: Filter[]): Filter => ({ op: "or", filters }),
  not: (filter: Filter): Filter => ({ op: "not", filter }),
};
