import { FilterError } from "../errors/errors.js";
import { type NormalFilter, type NormalLeaf, pushDownNot } from "../filter/normalize.js";
import { DOCUMENT_FIELD, type Filter } from "../filter/types.js";
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

function build(f: NormalFilter, document: boolean): Record<string, unknown> {
  if (f.op === "and" || f.op === "or") {
    return { [`$${f.op}`]: f.filters.map((c) => build(c, document)) };
  }
  const leaf = f as NormalLeaf;
  if (document) return { [OPS[leaf.op]]: leaf.value };
  return { [leaf.field]: { [OPS[leaf.op]]: leaf.value } };
}

function combine(parts: NormalFilter[], document: boolean): Record<string, unknown> | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return build(parts[0]!, document);
  return { $and: parts.map((p) => build(p, document)) };
}

/**
 * Translates a filter IR tree into Chroma's `where` and `whereDocument` clauses.
 *
 * The filter is validated and put in negation normal form first ({@link pushDownNot}), so
 * `not` becomes `$ne`/`$nin`/`$not_contains`/De Morgan. Conditions on `$document` go to
 * `whereDocument`; they may only be combined with metadata conditions by a top-level `and`.
 * Never emits an empty clause or a one-argument `$and`/`$or`: an absent clause is `undefined`.
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
