import type { ScoredDocument } from "@ragloom/core";
import type { SciFactQuery } from "./scifact.js";

/** One row of the retrieval table: a search function answering `k` results for a query text. */
export interface Variant {
  name: string;
  search: (query: string, k: number) => Promise<ScoredDocument[] | string[]>;
  /** Queries to run (a sample for the slow variants). @default every query */
  queries?: SciFactQuery[];
}

/** Doc ids of a result list, best first. */
export const idsOf = (r: ScoredDocument[] | string[]) => r.map((x) => (typeof x === "string" ? x : x.id));

/**
 * Queries whose top-10 id list (order included) is identical in `a` and `b`, over the queries of
 * `b`; `n` is how many that is. Both maps: query id → doc ids, best first.
 */
export function identicalLists(a: Map<string, string[]>, b: Map<string, string[]>) {
  let same = 0;
  for (const [qid, list] of b) if (JSON.stringify(a.get(qid)) === JSON.stringify(list)) same++;
  return { same, n: b.size };
}
