/**
 * Adapter from the held-out set's schema format (bench/data/self-query-heldout/schemas.json)
 * onto @ragloom/self-query's AttributeInfo, adding no information: `enum` -> `values`,
 * per-value `synonyms` -> EnumValue synonyms, `integer` -> `number`, `min`/`max` ->
 * `minimum`/`maximum`, and the one declared `unit` -> a unit word with factor 1 (no other unit
 * words or factors are added; converting hours to minutes is the parser's job).
 */
import type {
  AttributeInfo,
  AttributeType,
  EnumValue,
  SelfQuerySchema,
} from "../../packages/self-query/src/index.js";

export interface HeldoutAttribute {
  name: string;
  type: "string" | "string[]" | "number" | "integer" | "boolean" | "date";
  description: string;
  enum?: string[];
  synonyms?: Record<string, string[]> | string[];
  unit?: string;
  min?: number;
  max?: number;
}

export interface HeldoutSchema {
  description?: string;
  attributes: HeldoutAttribute[];
}

/** Maps one held-out attribute onto an AttributeInfo. */
export function adaptAttribute(a: HeldoutAttribute): AttributeInfo {
  const type: AttributeType = a.type === "integer" ? "number" : a.type;
  const out: AttributeInfo = { name: a.name, type, description: a.description };
  if (a.type === "integer") out.integer = true;
  const valueSyn = a.synonyms && !Array.isArray(a.synonyms) ? a.synonyms : undefined;
  if (Array.isArray(a.synonyms)) out.synonyms = [...a.synonyms];
  if (a.enum) {
    out.values = a.enum.map((v): string | EnumValue => {
      const syn = valueSyn?.[v];
      return syn?.length ? { value: v, synonyms: [...syn] } : v;
    });
  }
  if (a.unit !== undefined && type === "number") out.units = { [a.unit.toLowerCase()]: 1 };
  if (a.min !== undefined) out.minimum = a.min;
  if (a.max !== undefined) out.maximum = a.max;
  return out;
}

/** Maps a held-out schema onto a SelfQuerySchema (not yet checked by defineSchema). */
export function adaptSchema(s: HeldoutSchema): SelfQuerySchema {
  return {
    attributes: s.attributes.map(adaptAttribute),
    ...(s.description ? { documentContents: s.description } : {}),
  };
}
