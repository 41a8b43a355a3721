import {
  type AttributeInfo,
  defineSchema,
  enumValues,
  isYearAttribute,
  type SelfQuerySchema,
} from "./schema.js";

/** Lookup structures derived once from a schema (internal). */
export interface CompiledSchema {
  schema: SelfQuerySchema;
  attributes: AttributeInfo[];
  byName: Map<string, AttributeInfo>;
  /** Per attribute: lower-cased value or synonym → canonical value. */
  canonical: Map<string, Map<string, string | boolean>>;
  isYear: (a: AttributeInfo) => boolean;
}

const cache = new WeakMap<object, CompiledSchema>();

/** Normalises a typed value for lookups: lower case, unified quotes, single spaces. */
export function normText(s: string): string {
  return s
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[\s_]+/g, " ")
    .trim();
}

/** Validates (via {@link defineSchema}) and indexes a schema; cached per schema object. */
export function compileSchema(schema: SelfQuerySchema | AttributeInfo[]): CompiledSchema {
  const hit = cache.get(schema);
  if (hit) return hit;
  const checked =
    Object.isFrozen(schema) && !Array.isArray(schema) ? (schema as SelfQuerySchema) : defineSchema(schema);
  const byName = new Map<string, AttributeInfo>();
  const canonical = new Map<string, Map<string, string | boolean>>();
  for (const a of checked.attributes) {
    byName.set(a.name, a);
    const m = new Map<string, string | boolean>();
    for (const v of enumValues(a)) {
      m.set(normText(String(v.value)), v.value);
      for (const s of v.synonyms ?? []) if (!m.has(normText(s))) m.set(normText(s), v.value);
    }
    if (a.type === "boolean") {
      for (const [k, v] of [
        ["true", true],
        ["yes", true],
        ["1", true],
        ["false", false],
        ["no", false],
        ["0", false],
      ] as const) {
        if (!m.has(k)) m.set(k, v);
      }
    }
    canonical.set(a.name, m);
  }
  const compiled: CompiledSchema = {
    schema: checked,
    attributes: checked.attributes,
    byName,
    canonical,
    isYear: isYearAttribute,
  };
  cache.set(schema, compiled);
  if (checked !== schema) cache.set(checked, compiled);
  return compiled;
}
