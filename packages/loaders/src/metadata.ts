import type { Metadata, MetadataValue } from "@ragloom/core";

/**
 * Flattens parsed front matter (YAML) into ragloom metadata: strings, finite numbers and booleans
 * as they are, dates as epoch milliseconds, non-empty arrays of one primitive type as arrays;
 * nested objects become `parent.child` keys; anything else (null, mixed or empty arrays) is
 * dropped. Keys starting with `$` are dropped (the filter IR reserves them).
 */
export function flattenMetadata(value: Record<string, unknown>, prefix = "", out: Metadata = {}): Metadata {
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith("$") || key === "__proto__") continue;
    const name = prefix ? `${prefix}.${key}` : key;
    const scalar = toScalar(v);
    if (scalar !== undefined) out[name] = scalar;
    else if (Array.isArray(v)) {
      const items = v.map(toScalar).filter((x) => x !== undefined);
      if (items.length > 0 && items.length === v.length && items.every((x) => typeof x === typeof items[0]))
        out[name] = items as MetadataValue;
    } else if (v && typeof v === "object" && !(v instanceof Date)) {
      flattenMetadata(v as Record<string, unknown>, name, out);
    }
  }
  return out;
}

function toScalar(v: unknown): string | number | boolean | undefined {
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  return undefined;
}
