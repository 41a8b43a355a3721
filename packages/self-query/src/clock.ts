import { ValidationError } from "@ragloom/core";

/**
 * "Now" for relative dates ("last year", "in the past 6 months") and the prompt's "Today is …":
 * a fixed `Date`, or a function returning the current `Date` (called once per parse).
 */
export type Clock = Date | (() => Date);

function checkDate(value: unknown, option: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    const got =
      value instanceof Date ? "an invalid Date" : typeof value === "function" ? "a function" : String(value);
    throw new ValidationError(`${option} must be a valid Date or a function returning one, got ${got}`);
  }
  return value;
}

/**
 * A function returning "now" for a {@link Clock} option (the system clock when unset).
 * @throws ValidationError when `value` is neither a valid `Date` nor a function; the returned
 *   function throws ValidationError when a function clock returns anything but a valid `Date`.
 */
export function toClock(value: unknown, option = "now"): () => Date {
  if (value === undefined) return () => new Date();
  if (typeof value === "function") {
    return () => checkDate((value as () => unknown)(), `${option}()`);
  }
  const fixed = checkDate(value, option);
  return () => fixed;
}
