/** Amounts converted to an attribute's stored unit, rounded as people write them. */
import type { AttributeInfo } from "../schema.js";

/**
 * An amount converted to the stored unit (`factor` ≠ 1) keeps two more digits than its whole
 * part, and at least three significant ones: "5 miles" is 8.05 km, not 8.04672; "1,000 m" is
 * 3280.84 ft; "200 bytes" is 0.0002 kB. An amount in the stored unit is kept as written. On an
 * `integer` attribute a converted amount is rounded to the nearest whole number ("5 feet" is 152 cm).
 */
export function converted(x: number, factor: number, attr?: AttributeInfo): number {
  if (factor === 1 || x === 0 || !Number.isFinite(x)) return x;
  if (attr?.integer) return Math.round(x);
  const whole = Math.max(1, Math.floor(Math.log10(Math.abs(x))) + 1);
  return Number(x.toPrecision(Math.min(21, Math.max(3, whole + 2))));
}
