import { FilterError } from "../errors/errors.js";
import { type NormalFilter, type NormalLeaf, pushDownNot } from "../filter/normalize.js";
import { DOCUMENT_FIELD, type Filter, type FilterScalar } from "../filter/types.js";
import { validateFilter } from "../filter/validate.js";

/** Chroma `where` clause (metadata), as the chromadb JS client takes it. */
export type ChromaWhere = Record<string, unknown>;
/** Chroma `whereDocument` clause (document text). */
export type ChromaWhereDocument = Record<string, unknown>;

const OPS: Record<NormalLeaf["op"], string> = {
  eq: "$eq",
  ne: "$ne",
  gt: "$gt",
  gte: "$gte",
  lt: "$lt",
  lte: "$lte",
  in: "$in",
  nin: "$nin",
  contains: "$contains",
  ncontains: "$not_contains",
};

function kind(f: NormalFilter): "document" | "metadata" | "mixed" {
  if (f.op === "and" || f.op === "or") {
    const kinds = new Set(f.filters.map(kind));
    return kinds.size === 1 ? [...kinds][0]! : "mixed";
  }
  return (f as NormalLeaf).field === DOCUMENT_FIELD ? "document" : "metadata";
}

/** Most children emitted in one `$and`/`$or`; wider ones are nested in balanced groups. */
export const CHROMA_MAX_JUNCTION = 64;

/**
 * Chroma's type of a value: it rejects `$in`/`$nin` lists mixing integers and floats (and any
 * two types), so lists are split by this key.
 */
function typeKey(v: FilterScalar): string {
  return typeof v === "number" ? (Number.isInteger(v) ? "int" : "float") : typeof v;
}

function byType(values: FilterScalar[]): FilterScalar[][] {
  const groups = new Map<string, FilterScalar[]>();
  for (const v of values) {
    const key = typeKey(v);
    const list = groups.get(key);
    if (list) {
      if (!list.includes(v)) list.push(v);
    } else groups.set(key, [v]);
  }
  return [...groups.values()];
}

/**
 * Merges the children of an `or` that are `eq`/`in` on one metadata field (of an `and`:
 * `ne`/`nin`) into one `in` (`nin`) per value type: `x = 1 or x = 2` is `x in [1, 2]`, both
 * false on a missing or array-valued field, so the records are the same. Keeps 1,000 `eq`s
 * within SQLite's expression-depth limit of Chroma's local backend.
 */
function mergeMemberships(op: "and" | "or", children: NormalFilter[]): NormalFilter[] {
  const [single, list] = op === "or" ? (["eq", "in"] as const) : (["ne", "nin"] as const);
  const members = new Map<string, NormalLeaf[]>();
  for (const c of children) {
    const leaf = c as NormalLeaf;
    if (leaf.field === DOCUMENT_FIELD || (leaf.op !== single && leaf.op !== list)) continue;
    const group = members.get(leaf.field);
    if (group) group.push(leaf);
    else members.set(leaf.field, [leaf]);
  }
  const out: NormalFilter[] = [];
  const done = new Set<string>();
  for (const c of children) {
    const leaf = c as NormalLeaf;
    const group = members.get(leaf.field);
    if (!group?.includes(leaf) || group.length === 1) {
      out.push(c);
      continue;
    }
    if (done.has(leaf.field)) continue;
    done.add(leaf.field);
    const values = group.flatMap((l) => (Array.isArray(l.value) ? l.value : [l.value]));
    out.push({ op: list, field: leaf.field, value: values });
  }
  return out;
}

/** `{ $op: children }`, nested in balanced groups of at most {@link CHROMA_MAX_JUNCTION}; never one-argument. */
function junction(op: "and" | "or", children: Record<string, unknown>[]): Record<string, unknown> {
  if (children.length === 1) return children[0]!;
  if (children.length <= CHROMA_MAX_JUNCTION) return { [`$${op}`]: children };
  const groups = Math.ceil(children.length / CHROMA_MAX_JUNCTION);
  const size = Math.ceil(children.length / groups);
  const nested: Record<string, unknown>[] = [];
  for (let i = 0; i < children.length; i += size) nested.push(junction(op, children.slice(i, i + size)));
  return junction(op, nested);
}

const clause = (field: string, op: string, value: unknown) => ({ [field]: { [op]: value } });
const isFraction = (v: unknown): v is number => typeof v === "number" && !Number.isInteger(v);

/**
 * A comparison of `field` with numbers, corrected for Chroma 1.5 comparing an integer-valued
 * record with a non-integer operand `v` as if the operand were `trunc(v)` (so `y = 2020.5`
 * matches `y: 2020`, `y < 2020.5` misses it). On integer records the error is exactly the
 * value `t = trunc(v)`, so it is added (`$or … $eq t`) or removed (`$and … $ne t`) where needed;
 * the extra condition never changes the answer on float, string, boolean or array values, nor
 * on a missing field.
 */
function numericClause(field: string, op: NormalLeaf["op"], value: FilterScalar | FilterScalar[]) {
  const c = OPS[op];
  if (Array.isArray(value)) {
    if (!value.every(isFraction)) return clause(field, c, value);
    const truncs = [...new Set(value.map((v) => Math.trunc(v) + 0))];
    return op === "in"
      ? { $and: [clause(field, c, value), clause(field, "$nin", truncs)] }
      : { $or: [clause(field, c, value), clause(field, "$in", truncs)] };
  }
  if (!isFraction(value)) return clause(field, c, value);
  const t = Math.trunc(value) + 0; // + 0 turns -0 into 0
  const add = { $or: [clause(field, c, value), clause(field, "$eq", t)] };
  const remove = { $and: [clause(field, c, value), clause(field, "$ne", t)] };
  switch (op) {
    case "eq":
      return remove;
    case "ne":
      return add;
    case "gt":
      return value < 0 ? add : clause(field, c, value);
    case "gte":
      return value > 0 ? remove : clause(field, c, value);
    case "lt":
      return value > 0 ? add : clause(field, c, value);
    case "lte":
      return value < 0 ? remove : clause(field, c, value);
    default:
      return clause(field, c, value);
  }
}

function build(f: NormalFilter, document: boolean): Record<string, unknown> {
  if (f.op === "and" || f.op === "or") {
    const children = document ? f.filters : mergeMemberships(f.op, f.filters);
    return junction(
      f.op,
      children.map((c) => build(c, document)),
    );
  }
  const leaf = f as NormalLeaf;
  if (document) return { [OPS[leaf.op]]: leaf.value };
  if (leaf.op === "in" || leaf.op === "nin") {
    const lists = byType(leaf.value as FilterScalar[]);
    const parts = lists.map((values) => numericClause(leaf.field, leaf.op, values));
    // x in [1, 1.5] = x in [1] or x in [1.5]; x nin [1, 1.5] = x nin [1] and x nin [1.5]
    return junction(leaf.op === "in" ? "or" : "and", parts);
  }
  return numericClause(leaf.field, leaf.op, leaf.value);
}

function combine(parts: NormalFilter[], document: boolean): Record<string, unknown> | undefined {
  if (parts.length === 0) return undefined;
  return build(parts.length === 1 ? parts[0]! : { op: "and", filters: parts }, document);
}

/**
 * Translates a filter IR tree into Chroma's `where` and `whereDocument` clauses.
 *
 * The filter is validated and put in negation normal form first ({@link pushDownNot}), so
 * `not` becomes `$ne`/`$nin`/`$not_contains`/De Morgan. Conditions on `$document` go to
 * `whereDocument`; they may only be combined with metadata conditions by a top-level `and`.
 * Never emits an empty clause or a one-argument `$and`/`$or`: an absent clause is `undefined`.
 * Shaped for Chroma's limits without changing which records match: `eq`s (`ne`s) on one field
 * under one `or` (`and`) become one `$in` (`$nin`), lists are split by value type (Chroma
 * rejects lists mixing integers and floats), `$and`/`$or` wider than
 * {@link CHROMA_MAX_JUNCTION} are nested in balanced groups, and comparisons with non-integer
 * numbers get a correcting condition for integer-valued records (see `numericClause`).
 * @throws FilterError for an invalid filter, or `or` mixing document-text and metadata conditions
 *   (Chroma evaluates the two clauses separately and ANDs them).
 */
export function toChromaFilter(filter: Filter | null | undefined): {
  where?: ChromaWhere;
  whereDocument?: ChromaWhereDocument;
} {
  if (filter === null || filter === undefined) return {};
  const normal = pushDownNot(validateFilter(filter));
  const conjuncts = normal.op === "and" ? normal.filters : [normal];
  const meta: NormalFilter[] = [];
  const docs: NormalFilter[] = [];
  for (const c of conjuncts) {
    const k = kind(c);
    if (k === "mixed") {
      throw new FilterError(`Chroma cannot combine "${DOCUMENT_FIELD}" and metadata conditions inside "or"`);
    }
    (k === "document" ? docs : meta).push(c);
  }
  const out: { where?: ChromaWhere; whereDocument?: ChromaWhereDocument } = {};
  const where = combine(meta, false);
  const whereDocument = combine(docs, true);
  if (where) out.where = where;
  if (whereDocument) out.whereDocument = whereDocument;
  return out;
}
