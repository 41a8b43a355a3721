/**
 * BM25Index build and search on SciFact (5,183 abstracts, the 809 train claims with qrels): the
 * index before the typed-array postings (a frozen copy, bench/lib/bm25-baseline.ts) and the
 * current one side by side in one run. Per build: tokenise (the analyzer alone over every
 * document), build (`new BM25Index().add(corpus)`), postings (build − tokenise) and finalise
 * (the first search on the fresh index, where any deferred work lands), each as wall clock and
 * as process CPU time (`process.cpuUsage`, user + system, all threads), the median of `--rounds`
 * builds after warm-up, the two variants alternating. Then search latency per query (p50, p95)
 * at k = 10 and k = 100, variants alternating per query, and a check that both give the same
 * top 100 (ids and scores) for every claim. Table on stdout; bench/results/bm25-build.json.
 *
 *   pnpm tsx bench/bm25-build.ts [--rounds 7] [--warmup 2] [--profile]
 *
 * --profile also writes a V8 CPU profile of the current index's builds to
 * bench/results/bm25-build.cpuprofile and prints where the time went.
 */

import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BM25Index, createTokenizer, type Document } from "@ragloom/core";
import { BaselineBM25Index } from "./lib/bm25-baseline.js";
import { createBaselineTokenizer } from "./lib/bm25-baseline-tokenize.js";
import { saveProfile, startProfile, summarise } from "./lib/cpu-profile.js";
import { printTable, writeResults } from "./lib/report.js";
import { loadCorpus, loadQrels, loadQueries } from "./lib/scifact.js";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "7" },
    warmup: { type: "string", default: "2" },
    profile: { type: "boolean", default: false },
  },
});
const ROUNDS = Math.max(5, Number(args.rounds));
const WARMUP = Math.max(1, Number(args.warmup));

interface Hit {
  id: string;
  score: number;
}
interface Index {
  add(documents: Document[]): void;
  search(query: string, options: { k: number }): Hit[];
}
interface Variant {
  name: string;
  create(): Index;
  tokenize(text: string): string[];
}
const VARIANTS: Variant[] = [
  { name: "before", create: () => new BaselineBM25Index(), tokenize: createBaselineTokenizer() },
  { name: "after", create: () => new BM25Index(), tokenize: createTokenizer() },
];

/** Wall and CPU milliseconds of one call. */
function measure<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = fn();
  const wallMs = performance.now() - t;
  const d = process.cpuUsage(cpu);
  return { value, wallMs, cpuMs: (d.user + d.system) / 1000 };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

const docs = loadCorpus();
const qrels = loadQrels();
const queries = loadQueries().filter((q) => qrels.has(q.id));
console.log(
  `SciFact: ${docs.length} documents, ${queries.length} queries with qrels; node ${process.version}`,
);
console.log(
  `load average at start: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} (shared machine)`,
);

type Phase = "tokenise" | "build" | "postings" | "finalise" | "total";
const PHASES: Phase[] = ["tokenise", "build", "postings", "finalise", "total"];
type Sample = Record<Phase, { wallMs: number; cpuMs: number }>;

/** One build of `v`, split into phases. */
function buildOnce(v: Variant): { sample: Sample; index: Index } {
  const tokenise = measure(() => {
    let n = 0;
    for (const d of docs) n += v.tokenize(d.text).length;
    return n;
  });
  const build = measure(() => {
    const index = v.create();
    index.add(docs);
    return index;
  });
  const finalise = measure(() => build.value.search(queries[0]!.text, { k: 10 }));
  const minus = (a: number, b: number) => Math.max(0, a - b);
  const sample: Sample = {
    tokenise: { wallMs: tokenise.wallMs, cpuMs: tokenise.cpuMs },
    build: { wallMs: build.wallMs, cpuMs: build.cpuMs },
    postings: { wallMs: minus(build.wallMs, tokenise.wallMs), cpuMs: minus(build.cpuMs, tokenise.cpuMs) },
    finalise: { wallMs: finalise.wallMs, cpuMs: finalise.cpuMs },
    total: { wallMs: build.wallMs + finalise.wallMs, cpuMs: build.cpuMs + finalise.cpuMs },
  };
  return { sample, index: build.value };
}

for (let w = 0; w < WARMUP; w++) for (const v of VARIANTS) buildOnce(v);
const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v.name, []]));
const indexes = new Map<string, Index>();
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
  for (const v of order) {
    const { sample, index } = buildOnce(v);
    samples.get(v.name)!.push(sample);
    indexes.set(v.name, index);
  }
}
const medians = Object.fromEntries(
  VARIANTS.map((v) => {
    const s = samples.get(v.name)!;
    const row = Object.fromEntries(
      PHASES.map((p) => [
        p,
        { wallMs: round(median(s.map((x) => x[p].wallMs))), cpuMs: round(median(s.map((x) => x[p].cpuMs))) },
      ]),
    ) as Sample;
    return [v.name, row];
  }),
) as Record<string, Sample>;

const [before, after] = [medians.before!, medians.after!];
const buildRows = PHASES.map((p) => ({
  phase: p,
  "before CPU ms": before[p].cpuMs,
  "after CPU ms": after[p].cpuMs,
  "CPU ratio": round(after[p].cpuMs / (before[p].cpuMs || 1), 3),
  "before wall ms": before[p].wallMs,
  "after wall ms": after[p].wallMs,
  "wall ratio": round(after[p].wallMs / (before[p].wallMs || 1), 3),
}));
console.log(`\nBuild, median of ${ROUNDS} rounds after ${WARMUP} warm-up (postings = build − tokenise):`);
printTable(buildRows);

// search: per query, both variants, alternating which goes first
const search: Record<string, Record<string, unknown>> = {};
const searchRows: Array<Record<string, string | number>> = [];
let identical = 0;
for (const q of queries) {
  const a = indexes.get("before")!.search(q.text, { k: 100 });
  const b = indexes.get("after")!.search(q.text, { k: 100 });
  if (a.length === b.length && a.every((h, i) => h.id === b[i]!.id && h.score === b[i]!.score)) identical++;
}
for (const k of [10, 100]) {
  const times = new Map<string, { wall: number[]; cpu: number[] }>(
    VARIANTS.map((v) => [v.name, { wall: [], cpu: [] }]),
  );
  for (const q of queries) for (const v of VARIANTS) indexes.get(v.name)!.search(q.text, { k }); // warm-up
  for (const [i, q] of queries.entries()) {
    const order = i % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    for (const v of order) {
      const m = measure(() => indexes.get(v.name)!.search(q.text, { k }));
      times.get(v.name)!.wall.push(m.wallMs);
      times.get(v.name)!.cpu.push(m.cpuMs);
    }
  }
  const stats = (name: string) => {
    const t = times.get(name)!;
    return {
      p50WallMs: round(quantile(t.wall, 0.5), 4),
      p95WallMs: round(quantile(t.wall, 0.95), 4),
      meanCpuMs: round(t.cpu.reduce((s, x) => s + x, 0) / t.cpu.length, 4),
    };
  };
  const [sb, sa] = [stats("before"), stats("after")];
  search[`k${k}`] = { before: sb, after: sa };
  searchRows.push({
    k,
    "before p50 ms": sb.p50WallMs,
    "after p50 ms": sa.p50WallMs,
    "p50 ratio": round(sa.p50WallMs / (sb.p50WallMs || 1e-9), 3),
    "before p95 ms": sb.p95WallMs,
    "after p95 ms": sa.p95WallMs,
    "before CPU ms/q": sb.meanCpuMs,
    "after CPU ms/q": sa.meanCpuMs,
  });
}
console.log(`\nSearch on the ${queries.length} claims (wall clock per query; CPU = process CPU per query):`);
printTable(searchRows);
console.log(`\nSame top 100 (ids and scores) before and after: ${identical}/${queries.length} queries`);

let profile: unknown;
if (args.profile) {
  const p = await startProfile(200);
  for (let r = 0; r < 5; r++) new BM25Index().add(docs);
  const prof = await p.stop();
  const path = saveProfile(prof, join(import.meta.dirname, "results", "bm25-build.cpuprofile"));
  const summary = summarise(prof, 15);
  console.log(`\nCPU profile of 5 builds (current index): ${path}`);
  printTable(summary.functions);
  profile = summary;
}

const target = after.total.cpuMs <= 300;
console.log(
  `\nSciFact build (build + finalise), after: ${after.total.cpuMs} ms CPU (target <= 300 ms: ${target ? "met" : "missed"}), ` +
    `${round(after.total.cpuMs / before.total.cpuMs, 3)}x of before (${before.total.cpuMs} ms)`,
);
const file = writeResults("bm25-build", {
  node: process.version,
  loadavgAtStart: loadavg(),
  note:
    "2-core machine shared with other jobs: compare before/after of this run (ratios), not absolute times across runs. " +
    "CPU = process.cpuUsage user+system (all threads, GC included). 'before' is a frozen copy of the previous BM25Index.",
  corpus: { documents: docs.length, queries: queries.length },
  rounds: ROUNDS,
  warmup: WARMUP,
  medians,
  ratios: Object.fromEntries(
    PHASES.map((p) => [
      p,
      {
        cpu: round(after[p].cpuMs / (before[p].cpuMs || 1), 3),
        wall: round(after[p].wallMs / (before[p].wallMs || 1), 3),
      },
    ]),
  ),
  samples: Object.fromEntries(samples),
  search,
  identicalTop100: { identical, queries: queries.length },
  target: { buildCpuMs: 300, met: target },
  profile,
});
console.log(`results: ${file}`);
