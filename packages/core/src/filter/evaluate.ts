import type { Metadata, MetadataValue } from "../types/document.js";
import type { NormalFilter, NormalLeaf } from "./normalize.js";
import { pushDownNot } from "./normalize.js";
import { DOCUMENT_FIELD, type Filter } from "./types.js";
import { validateFilter } from "./validate.js";

function compareLeaf(leaf: NormalLeaf, metadata: Metadata, text: string): boolean {
  if (leaf.field === DOCUMENT_FIELD) {
    const found = text.includes(String(leaf.value));
    return leaf.op === "contains" ? found : !found;
  }
  if (!Object.hasOwn(metadata, leaf.field)) return false;
  const actual: MetadataValue = metadata[leaf.field]!;
  const value = leaf.value;
  if (Array.isArray(actual)) {
    // Array-valued fields only answer contains / ncontains (as in Chroma).
    if (leaf.op === "contains") return (actual as unknown[]).includes(value);
    if (leaf.op === "ncontains") return !(actual as unknown[]).includes(value);
    return false;
  }
  switch (leaf.op) {
    case "eq":
      return actual === value;
    case "ne":
      return actual !== value;
    case "gt":
      return typeof actual === "number" && actual > (value as number);
    case "gte":
      return typeof actual === "number" && actual >= (value as number);
    case "lt":
      return typeof actual === "number" && actual < (value as number);
    case "lte":
      return typeof actual === "number" && actual <= (value as number);
    case "in":
      return (value as unknown[]).includes(actual);
    case "nin":
      return !(value as unknown[]).includes(actual);
    default:
      // contains / ncontains on a scalar field: false, as in Chroma.
      return false;
  }
}

function evaluateNormal(filter: NormalFilter, metadata: Metadata, text: string): boolean {
  if (filter.op === "and") return filter.filters.every((f) => evaluateNormal(f, metadata, text));
  if (filter.op === "or") return filter.filters.some((f) => evaluateNormal(f, metadata, text));
  return compareLeaf(filter as NormalLeaf, metadata, text);
}

/**
 * Compiles a filter into a predicate over `(metadata, text)`, evaluated in process with the
 * semantics documented on {@link Filter}. Validates first.
 * @throws FilterError when the filter is invalid.
 */
export function compileFilter(filter: Filter | unknown): (metadata: Metadata, text?: string) => boolean {
  const normal = pushDownNot(validateFilter(filter));
  return (metadata, text = "") => evaluateNormal(normal, metadata, text);
}

/** Evaluates one filter against one record. Prefer {@link compileFilter} in loops. */
export function matchesFilter(filter: Filter, metadata: Metadata, text = ""): boolean {
  return compileFilter(filter)(metadata, text);
}
