import { ValidationError } from "../errors/errors.js";
import type { Document } from "../types/document.js";
import { isPgSafeString } from "./translate-filter.js";

const SCALARS = new Set(["string", "number", "boolean"]);

function checkString(value: string, what: string) {
  if (!isPgSafeString(value))
    throw new ValidationError(
      `${what} holds a NUL character or a lone surrogate (PostgreSQL cannot store it)`,
    );
}

/**
 * Checks a document for PostgreSQL: a non-empty string id, a string text, flat metadata of
 * strings, finite numbers, booleans or non-empty one-type arrays of them, and no string holding
 * a NUL character or a lone surrogate (which text and JSONB cannot store unchanged).
 * @throws ValidationError naming the document and the offending part.
 */
export function checkDocument(doc: Document): void {
  if (typeof doc?.id !== "string" || doc.id.length === 0)
    throw new ValidationError("record id must be a non-empty string");
  checkString(doc.id, `id "${doc.id}"`);
  if (typeof doc.text !== "string") throw new ValidationError(`text of "${doc.id}" must be a string`);
  checkString(doc.text, `text of "${doc.id}"`);
  const metadata = doc.metadata ?? {};
  if (typeof metadata !== "object" || Array.isArray(metadata))
    throw new ValidationError(`metadata of "${doc.id}" must be an object`);
  for (const [key, value] of Object.entries(metadata)) {
    checkString(key, `a metadata key of "${doc.id}"`);
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (Array.isArray(value) && (value.length === 0 || !value.every((v) => typeof v === typeof value[0])))
      throw new ValidationError(`metadata "${key}" of "${doc.id}" must be a non-empty array of one type`);
    for (const v of values) {
      if (!SCALARS.has(typeof v) || (typeof v === "number" && !Number.isFinite(v)))
        throw new ValidationError(
          `metadata "${key}" of "${doc.id}" must be a string, finite number, boolean or an array of one of them`,
        );
      if (typeof v === "string") checkString(v, `metadata "${key}" of "${doc.id}"`);
    }
  }
}

/** L2-normalised float32 copy of `v` (a zero vector stays zero), overflow-safe. */
export function unitVector(v: ArrayLike<number>): Float32Array {
  const out = new Float32Array(v.length);
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
  if (max === 0) return out;
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += (v[i]! / max) ** 2;
  const norm = Math.sqrt(sum) * max;
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}

/** pgvector's text form, `[x,y,…]`, exact for float32 values (shortest round-trip digits). */
export function toVectorLiteral(v: Float32Array): string {
  return `[${Array.prototype.join.call(v, ",")}]`;
}

/** Parses pgvector's text form into a Float32Array. */
export function parseVector(text: string): Float32Array {
  const inner = text.slice(1, -1);
  return inner.length === 0 ? new Float32Array(0) : Float32Array.from(inner.split(","), Number);
}
