import { type Filter, FilterError, validateFilter } from "@ragloom/core";
import { z } from "zod/v4";

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const comparison = z.strictObject({
  op: z.enum(["eq", "ne", "gt", "gte", "lt", "lte", "contains"]),
  field: z.string().describe('A metadata field, or "$document" (with "contains") for the text'),
  value: scalar,
});

const membership = z.strictObject({
  op: z.enum(["in", "nin"]),
  field: z.string(),
  value: z.array(scalar).min(1),
});

type FilterShape =
  | z.infer<typeof comparison>
  | z.infer<typeof membership>
  | { op: "and" | "or"; filters: FilterShape[] }
  | { op: "not"; filter: FilterShape };

/**
 * The shape of ragloom's filter IR as a recursive zod schema (its JSON Schema is what the model
 * sees). It checks the structure only: {@link refineFilter} applies ragloom's own validation
 * (field names, value types per operator, size limits) on top.
 */
export const filterShapeSchema: z.ZodType<FilterShape> = z.lazy(() =>
  z.union([
    comparison,
    membership,
    z.strictObject({ op: z.enum(["and", "or"]), filters: z.array(filterShapeSchema).min(1) }),
    z.strictObject({ op: z.literal("not"), filter: filterShapeSchema }),
  ]),
);

/** How the filter IR is described to the model. */
export const FILTER_DESCRIPTION =
  "Optional metadata filter. A comparison {op, field, value} with op one of eq, ne, gt, gte, lt, lte " +
  "(numbers; dates as epoch milliseconds), contains (an array field holds value), in / nin (value is a " +
  'non-empty array); or {op: "and" | "or", filters: [...]}; or {op: "not", filter}.';

/**
 * Runs ragloom's `validateFilter` on `filter` and reports its `FilterError` as a zod issue at
 * `["filter", ...path]`, so the AI SDK returns it to the model as an invalid tool input.
 */
export function refineFilter(filter: unknown, ctx: z.RefinementCtx): Filter | undefined {
  if (filter === undefined) return undefined;
  try {
    return validateFilter(filter);
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    const path = error.path.split("/").filter(Boolean);
    ctx.addIssue({
      code: "custom",
      message: error.message,
      path: ["filter", ...path.map((p) => (/^\d+$/.test(p) ? Number(p) : p))],
    });
    return undefined;
  }
}
