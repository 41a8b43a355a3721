/**
 * Conversion between {@link PostingLists} and the postings of a serialised index
 * ({@link BM25State}): terms in the order they entered the index, documents renumbered
 * and ascending.
 */
import type { BM25State } from "./bm25-file.js";
import type { PostingLists } from "./bm25-postings.js";

/**
 * The postings with slots renumbered by `renumber` (ascending in slot order), terms in the
 * order they (last) entered the dictionary.
 */
export function exportPostings(p: PostingLists, renumber: Int32Array): BM25State["postings"] {
  const ids: number[] = [];
  let ordered = true;
  for (let id = p.stopIds; id < p.dict.idLimit; id++) {
    if (p.df[id]! === 0) continue;
    if (ids.length > 0 && p.births[id]! < p.births[ids[ids.length - 1]!]!) ordered = false;
    ids.push(id);
  }
  if (!ordered) ids.sort((x, y) => p.births[x]! - p.births[y]!);
  const out: BM25State["postings"] = new Map();
  for (const id of ids) {
    const n = p.df[id]!;
    const list = p.lists[id]!;
    let order: number[] | null = null;
    for (let i = 2; i < 2 * n; i += 2) {
      if (list[i]! < list[i - 2]!) {
        order = Array.from({ length: n }, (_, j) => j).sort((x, y) => list[2 * x]! - list[2 * y]!);
        break;
      }
    }
    const docs = new Uint32Array(n);
    const tfs = new Uint32Array(n);
    for (let j = 0; j < n; j++) {
      const at = 2 * (order ? order[j]! : j);
      docs[j] = renumber[list[at]!]!;
      tfs[j] = list[at + 1]!;
    }
    out.set(p.dict.term(id), { docs, tfs });
  }
  return out;
}

/**
 * Fills empty posting lists from a decoded state (documents 0..n-1).
 * @returns each document's distinct term ids.
 */
export function importPostings(p: PostingLists, postings: BM25State["postings"], n: number): Int32Array[] {
  const counts = new Int32Array(n);
  for (const { docs } of postings.values()) for (const slot of docs) counts[slot]!++;
  const termsOf = Array.from(counts, (c) => new Int32Array(c));
  counts.fill(0);
  for (const [term, { docs, tfs }] of postings) {
    const id = p.load(term, docs, tfs);
    for (const slot of docs) termsOf[slot]![counts[slot]!++] = id;
  }
  return termsOf;
}
