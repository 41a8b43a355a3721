import type { NormalFilter, NormalLeaf } from "../filter/normalize.js";
import type { FilterScalar } from "../filter/types.js";
import type { Metadata } from "../types/document.js";

/**
 * Scalar value → ids of the records holding it, for one metadata field. Array values are not
 * indexed: `eq`/`in` are false on them, so they are never candidates of the lookups below.
 */
export class FieldIndex {
  private readonly ids = new Map<FilterScalar, Set<string>>();
  constructor(readonly field: string) {}

  private valueOf(metadata: Metadata): FilterScalar | undefined {
    if (!Object.hasOwn(metadata, this.field)) return undefined;
    const v = metadata[this.field];
    return Array.isArray(v) ? undefined : (v as FilterScalar);
  }

  add(id: string, metadata: Metadata) {
    const v = this.valueOf(metadata);
    if (v === undefined) return;
    let set = this.ids.get(v);
    if (!set) {
      set = new Set();
      this.ids.set(v, set);
    }
    set.add(id);
  }

  remove(id: string, metadata: Metadata) {
    const v = this.valueOf(metadata);
    if (v === undefined) return;
    const set = this.ids.get(v);
    if (!set) return;
    set.delete(id);
    if (set.size === 0) this.ids.delete(v);
  }

  /** Ids whose value is one of `values`. */
  lookup(values: readonly FilterScalar[], into: Set<string>) {
    for (const v of values) for (const id of this.ids.get(v) ?? []) into.add(id);
  }

  clear() {
    this.ids.clear();
  }
}

/**
 * A superset of the ids matching `filter` (normal form), from the indexes, or `null` when the
 * indexes cannot bound it (then every record must be tested). An `eq`/`in` on an indexed field
 * bounds a filter; an `and` is bounded by any bounded child, an `or` when every child is.
 * Callers still test each candidate with the whole filter.
 */
export function candidateIds(
  filter: NormalFilter,
  indexes: ReadonlyMap<string, FieldIndex>,
): Set<string> | null {
  if (filter.op === "and") {
    let best: Set<string> | null = null;
    for (const child of filter.filters) {
      const ids = candidateIds(child, indexes);
      if (ids && (!best || ids.size < best.size)) best = ids;
      if (best && best.size === 0) break;
    }
    return best;
  }
  if (filter.op === "or") {
    const all = new Set<string>();
    for (const child of filter.filters) {
      const ids = candidateIds(child, indexes);
      if (!ids) return null;
      for (const id of ids) all.add(id);
    }
    return all;
  }
  const leaf = filter as NormalLeaf;
  const index = indexes.get(leaf.field);
  if (!index || (leaf.op !== "eq" && leaf.op !== "in")) return null;
  const ids = new Set<string>();
  index.lookup(leaf.op === "eq" ? [leaf.value as FilterScalar] : (leaf.value as FilterScalar[]), ids);
  return ids;
}
