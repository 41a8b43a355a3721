/**
 * Chooses the hybrid fusion default on SciFact: for each fusion family (RRF with its rank
 * constant k, convex combination of min-max or z-score normalised scores with the dense
 * weight w), the parameter is picked on a seeded tuning split (70 % of the queries) and the
 * result is reported on the held-out 30 % and on all queries, next to the published defaults.
 * Every variant fuses the same dense and BM25 lists of a fixed depth.
 */
import { reciprocalRankFusion, type ScoredDocument, weightedScoreFusion } from "@ragloom/core";
import { ndcgAt, type Qrels } from "./metrics.js";
import { holdoutSplit } from "./split.js";

/** Seed of the tuning / held-out split of the fusion study. */
export const FUSION_SEED = 20261202;
/** Share of queries held out from tuning. */
export const FUSION_HELDOUT = 0.3;

type Fuse = (lists: ScoredDocument[][]) => ScoredDocument[];

interface Family {
  family: string;
  param: string;
  /** The value a paper or library uses without tuning. */
  published: number;
  values: number[];
  fuse: (value: number) => Fuse;
}

const grid = (from: number, to: number, step: number) =>
  Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => Number((from + i * step).toFixed(4)));

/** The fusion families of the study and their parameter grids. */
export const FAMILIES: Family[] = [
  {
    family: "RRF (Cormack et al. 2009)",
    param: "k",
    published: 60,
    values: [1, 2, 5, 10, 20, 30, 40, 60, 80, 100, 150, 200],
    fuse: (k) => (lists) => reciprocalRankFusion(lists, { k }),
  },
  {
    family: "convex, min-max (Bruch et al. 2023)",
    param: "dense weight",
    published: 0.5,
    values: grid(0, 1, 0.05),
    fuse: (w) => (lists) => weightedScoreFusion(lists, { weights: [w, 1 - w] }),
  },
  {
    family: "convex, z-score",
    param: "dense weight",
    published: 0.5,
    values: grid(0, 1, 0.05),
    fuse: (w) => (lists) => weightedScoreFusion(lists, { weights: [w, 1 - w], normalization: "z-score" }),
  },
];

export interface FusionStudyInput {
  queries: Array<{ id: string; text: string }>;
  qrels: Qrels;
  /** The dense list of a query, best first. */
  dense: (query: string) => ScoredDocument[];
  /** The lexical list of a query, best first. */
  lexical: (query: string) => ScoredDocument[];
}

/** Runs the study; `rows` is the printed table, `chosen` the best family on the tuning split. */
export function fusionStudy(input: FusionStudyInput) {
  const { tune, heldOut } = holdoutSplit(
    input.queries.map((q) => q.id),
    FUSION_HELDOUT,
    FUSION_SEED,
  );
  const lists = new Map(input.queries.map((q) => [q.id, [input.dense(q.text), input.lexical(q.text)]]));
  const ndcg = (fuse: Fuse, ids: Set<string> | null) => {
    let sum = 0;
    let n = 0;
    for (const q of input.queries) {
      if (ids && !ids.has(q.id)) continue;
      const top = fuse(lists.get(q.id)!).slice(0, 10);
      sum += ndcgAt(
        top.map((d) => d.id),
        input.qrels.get(q.id)!,
        10,
      );
      n++;
    }
    return sum / n;
  };
  const rows: Array<Record<string, string | number>> = [];
  const curves: Record<string, Array<{ value: number; tune: number }>> = {};
  let chosen = { family: "", param: "", value: 0, tune: Number.NEGATIVE_INFINITY };
  for (const f of FAMILIES) {
    let best = { value: f.published, tune: Number.NEGATIVE_INFINITY };
    curves[f.family] = [];
    for (const v of f.values) {
      const score = ndcg(f.fuse(v), tune);
      curves[f.family]!.push({ value: v, tune: score });
      if (score > best.tune) best = { value: v, tune: score };
    }
    for (const [how, value] of [
      ["published", f.published],
      ["tuned", best.value],
    ] as const) {
      const fuse = f.fuse(value);
      rows.push({
        fusion: f.family,
        parameter: `${how}: ${f.param} = ${value}`,
        "nDCG@10 tune": ndcg(fuse, tune),
        "nDCG@10 held-out": ndcg(fuse, heldOut),
        "nDCG@10 all": ndcg(fuse, null),
      });
    }
    if (best.tune > chosen.tune) chosen = { family: f.family, param: f.param, ...best };
  }
  return {
    rows,
    chosen,
    curves,
    split: { seed: FUSION_SEED, tune: tune.size, heldOut: heldOut.size },
  };
}
