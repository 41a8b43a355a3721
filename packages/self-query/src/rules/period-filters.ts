/**
 * Filters for time expressions: a period (year, month, quarter, decade) or an instant compared
 * with a date attribute (epoch milliseconds) or a number attribute holding years.
 */
import type { Filter } from "@ragloom/core";
import type { AttributeInfo } from "../schema.js";
import type { ParseContext } from "./context.js";
import type { RangeOp } from "./lexicon.js";
import type { Value } from "./value-readers.js";

export function rangeFilter(field: string, op: RangeOp, value: number): Filter {
  return { op, field, value } as Filter;
}

export function andOf(filters: Filter[]): Filter {
  return filters.length === 1 ? filters[0]! : { op: "and", filters };
}

/** Filter of a period on a date attribute. */
export function periodOnDate(
  ctx: ParseContext,
  field: string,
  op: RangeOp | "in",
  v: Extract<Value, { kind: "period" }>,
): Filter {
  const { start, end } = v.p;
  switch (op) {
    case "gt":
      return v.decade || ctx.afterPeriod === "end"
        ? rangeFilter(field, "gte", end)
        : rangeFilter(field, "gt", start);
    case "gte":
      return rangeFilter(field, "gte", start);
    case "lt":
      return rangeFilter(field, "lt", start);
    case "lte":
      return rangeFilter(field, "lt", end);
    default:
      return end > start
        ? andOf([rangeFilter(field, "gte", start), rangeFilter(field, "lt", end)])
        : rangeFilter(field, "eq", start);
  }
}

/** Filter of a period on a number attribute holding years. */
export function periodOnYear(
  field: string,
  op: RangeOp | "in",
  v: Extract<Value, { kind: "period" }>,
): Filter {
  const from = new Date(v.p.start).getUTCFullYear();
  const to = new Date(Math.max(v.p.start, v.p.end - 1)).getUTCFullYear();
  switch (op) {
    case "gt":
      return v.subYear ? rangeFilter(field, "gte", from) : rangeFilter(field, "gt", to);
    case "gte":
      return rangeFilter(field, "gte", from);
    case "lt":
      return v.subYear ? rangeFilter(field, "lte", from) : rangeFilter(field, "lt", from);
    case "lte":
      return rangeFilter(field, "lte", to);
    default:
      return from === to
        ? rangeFilter(field, "eq", from)
        : andOf([rangeFilter(field, "gte", from), rangeFilter(field, "lte", to)]);
  }
}

/** Compares an instant with a date attribute, or its year with a year attribute. */
export function timeFilter(_ctx: ParseContext, attr: AttributeInfo, op: RangeOp, t: number): Filter {
  if (attr.type === "date") return rangeFilter(attr.name, op, t);
  const year = new Date(t).getUTCFullYear();
  return rangeFilter(attr.name, op === "gt" ? "gte" : op === "lt" ? "lte" : op, year);
}
