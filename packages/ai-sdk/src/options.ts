import { type Filter, ValidationError, validateFilter } from "@ragloom/core";

/** Checks that an option is an integer in `[min, max]` and returns it. @throws ValidationError */
export function checkInteger(
  name: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new ValidationError(`${name} must be an integer ${range}, got ${String(value)}`);
  }
  return value;
}

/** Checks the fixed filter of a tool once, at creation. @throws FilterError */
export function checkFixedFilter(filter: Filter | null | undefined): Filter | undefined {
  return filter == null ? undefined : validateFilter(filter, "/options/filter");
}

/** The fixed filter AND the model's filter (either may be absent). */
export function combineFilters(fixed: Filter | undefined, chosen: Filter | undefined): Filter | undefined {
  if (fixed && chosen) return { op: "and", filters: [fixed, chosen] };
  return fixed ?? chosen;
}
