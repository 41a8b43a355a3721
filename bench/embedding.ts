/**
 * Embedding speed of the transformers embedder (all-MiniLM-L6-v2) on SciFact, variants
 * interleaved in one run so that load from other processes hits them alike:
 *   dtype     query latency fp32 vs q8 at 1 thread and at onnxruntime's default threads
 *             (wall and CPU ms per query), q8-vs-fp32 cosine, operator census of both files
 *   batching  end-to-end queries/s and p50/p99 at 1, 8, 64 concurrent callers, with and without
 *             withMicroBatching
 *   ingest    docs/s on SciFact abstracts (title + text) at batch 32 fp32, variants vs the
 *             previous settings, cosine vs the previous vectors
 *   ndcg      nDCG@10 per dtype on a SciFact subset (relevant documents of the queries + distractors)
 * Usage: nice -n 10 pnpm tsx bench/embedding.ts [dtype] [batching] [ingest] [ndcg] [--docs=500]
 *   [--queries=200] [--q8-dirs=label=modelDir,…]
 * Writes bench/results/embedding.json (sections run now replace the stored ones).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cosineSimilarity, withMicroBatching } from "@ragloom/core";
import {
  createTransformersEmbedder,
  type TransformersEmbedder,
  type TransformersEmbedderOptions,
} from "@ragloom/core/transformers";
import { MODEL_DIR } from "./lib/embeddings.js";
import { meanMetric, ndcgAt, percentile } from "./lib/metrics.js";
import { onnxCensus } from "./lib/onnx-ops.js";
import { printTable, writeResults } from "./lib/report.js";
import { loadCorpus, loadQrels, loadQueries } from "./lib/scifact.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) =>
  Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt);
const sections = args.filter((a) => !a.startsWith("--"));
const run = (s: string) => sections.length === 0 || sections.includes(s);
const nQueries = flag("queries", 200);
const nDocs = flag("docs", 500);

const load = (o: TransformersEmbedderOptions) =>
  createTransformersEmbedder({ localModelPath: MODEL_DIR, offline: true, ...o });
const queries = loadQueries()
  .slice(0, nQueries)
  .map((q) => q.text);
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
const stats = (xs: number[]) => ({
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
  p99: percentile(xs, 99),
  min: Math.min(...xs),
});
const file = join(import.meta.dirname, "results", "embedding.json");
const results: Record<string, unknown> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
results.node = process.version;
results.model = "Xenova/all-MiniLM-L6-v2";

if (run("dtype")) {
  const variants = [
    { name: "fp32, 1 thread", o: { dtype: "fp32", threads: 1 } },
    { name: "q8, 1 thread", o: { dtype: "q8", threads: 1 } },
    { name: "fp32, default threads", o: { dtype: "fp32" } },
    { name: "q8, default threads", o: { dtype: "q8" } },
    {
      name: "fp32, default threads, no spinning",
      o: { dtype: "fp32", sessionOptions: { extra: { session: { intra_op: { allow_spinning: "0" } } } } },
    },
  ] as Array<{ name: string; o: TransformersEmbedderOptions }>;
  // other int8 exports to compare, e.g. a dynamic-quantised one (MatMulInteger):
  // --q8-dirs=label=modelDir,label2=modelDir2 (each modelDir holding Xenova/all-MiniLM-L6-v2/onnx/)
  const q8Dirs = altQ8();
  for (const { label, dir } of q8Dirs)
    variants.push({ name: `q8 ${label}, 1 thread`, o: { dtype: "q8", threads: 1, localModelPath: dir } });
  // one after the other: localModelPath is a process-wide transformers.js setting during loading
  const embedders: TransformersEmbedder[] = [];
  for (const v of variants) embedders.push(await load(v.o));
  const wall = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as number[]);
  for (const e of embedders) for (const q of queries.slice(0, 10)) await e.embedQuery(q); // warm-up
  for (const q of queries)
    for (const [k, e] of embedders.entries()) {
      const c = process.cpuUsage();
      const t = performance.now();
      await e.embedQuery(q);
      wall[k]!.push(performance.now() - t);
      cpu[k]!.push(cpuMs(process.cpuUsage(c)));
    }
  const rows = variants.map((v, k) => ({
    variant: v.name,
    "wall p50 ms": stats(wall[k]!).p50,
    "wall p95 ms": stats(wall[k]!).p95,
    "wall min ms": stats(wall[k]!).min,
    "CPU p50 ms": stats(cpu[k]!).p50,
    "CPU min ms": stats(cpu[k]!).min,
  }));
  printTable(rows);
  const fp32 = embedders[0]!;
  const docs = loadCorpus()
    .slice(0, 64)
    .map((d) => d.text);
  const cos = async (
    q8: TransformersEmbedder,
    texts: string[],
    f: (e: TransformersEmbedder) => Promise<Float32Array[]>,
  ) => {
    const [a, b] = [await f(fp32), await f(q8)];
    const c = a.map((v, i) => cosineSimilarity(v, b[i]!));
    return { mean: c.reduce((s, x) => s + x, 0) / c.length, min: Math.min(...c), n: texts.length };
  };
  const cosine: Record<string, unknown> = {};
  for (const [k, v] of variants.entries()) {
    if (v.o.dtype !== "q8" || v.o.threads !== 1) continue;
    const e = embedders[k]!;
    cosine[v.name] = {
      queries: await cos(e, queries, (x) => x.embedQueries(queries)),
      documents: await cos(e, docs, (x) => x.embedDocuments(docs)),
    };
    console.log(`cosine to fp32, ${v.name}:`, cosine[v.name]);
  }
  const onnx = join(MODEL_DIR, "Xenova", "all-MiniLM-L6-v2", "onnx");
  const census: Record<string, ReturnType<typeof onnxCensus>> = {
    fp32: onnxCensus(join(onnx, "model.onnx")),
    q8: onnxCensus(join(onnx, "model_quantized.onnx")),
  };
  for (const { label, dir } of q8Dirs)
    census[`q8 ${label}`] = onnxCensus(
      join(dir, "Xenova", "all-MiniLM-L6-v2", "onnx", "model_quantized.onnx"),
    );
  const pick = (c: (typeof census)["q8"]) => ({
    MatMul: c.ops.MatMul ?? 0,
    MatMulInteger: c.ops.MatMulInteger ?? 0,
    DynamicQuantizeLinear: c.ops.DynamicQuantizeLinear ?? 0,
    Cast: c.ops.Cast ?? 0,
    "int8 initialisers": c.initializers.int8 ?? 0,
  });
  console.table(Object.fromEntries(Object.entries(census).map(([k, c]) => [k, pick(c)])));
  results.dtype = { date: new Date().toISOString(), queries: queries.length, rows, cosine, census };
  for (const e of embedders) await e.dispose?.();
}

if (run("batching")) {
  const base = await load({ dtype: "fp32", threads: 1 });
  const batched = withMicroBatching(base, { batchWindowMs: 2, maxBatch: 16 });
  const eager = withMicroBatching(base, { batchWindowMs: 2, maxBatch: 16, dispatchWhenIdle: true });
  const variants = [
    ["unbatched", base],
    ["micro-batched (2 ms, 16)", batched],
    ["micro-batched, dispatchWhenIdle", eager],
  ] as const;
  const rounds = 4;
  const perRound = Math.ceil(nQueries / rounds);
  type Acc = { lat: number[]; wall: number; cpu: number; n: number };
  const acc = new Map<string, Acc>();
  // rounds interleave the variants, so that load from other processes hits them alike
  for (let round = 0; round < rounds; round++)
    for (const callers of [1, 8, 64])
      for (const [name, e] of variants) {
        const key = `${callers}|${name}`;
        const a = acc.get(key) ?? { lat: [], wall: 0, cpu: 0, n: 0 };
        acc.set(key, a);
        let next = 0;
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: callers }, async () => {
            while (next < perRound) {
              const q = queries[(round * perRound + next++) % queries.length]!;
              const t = performance.now();
              await e.embedQuery(q);
              a.lat.push(performance.now() - t);
            }
          }),
        );
        a.wall += performance.now() - t0;
        a.cpu += cpuMs(process.cpuUsage(c0));
        a.n += perRound;
      }
  const rows: Array<Record<string, string | number>> = [...acc].map(([key, a]) => {
    const [callers, variant] = key.split("|");
    const st = stats(a.lat);
    return {
      callers: Number(callers),
      variant: variant!,
      "queries/s": (a.n / a.wall) * 1000,
      "p50 ms": st.p50,
      "p99 ms": st.p99,
      "CPU ms/query": a.cpu / a.n,
    };
  });
  const total = rounds * perRound;
  printTable(rows);
  const qps = (c: number, v: string) =>
    rows.find((r) => r.callers === c && String(r.variant).startsWith(v))!["queries/s"] as number;
  const cpuOf = (c: number, v: string) =>
    rows.find((r) => r.callers === c && String(r.variant).startsWith(v))!["CPU ms/query"] as number;
  const ratios = Object.fromEntries(
    [1, 8, 64].map((c) => [
      `${c} callers`,
      {
        "queries/s, micro-batched / unbatched": qps(c, "micro-batched (") / qps(c, "unb"),
        "queries/s, dispatchWhenIdle / unbatched": qps(c, "micro-batched,") / qps(c, "unb"),
        "CPU per query, unbatched / micro-batched": cpuOf(c, "unb") / cpuOf(c, "micro-batched ("),
        "CPU per query, unbatched / dispatchWhenIdle": cpuOf(c, "unb") / cpuOf(c, "micro-batched,"),
      },
    ]),
  );
  console.table(ratios);
  results.batching = {
    date: new Date().toISOString(),
    queriesPerConfig: total,
    rounds,
    embedder: "fp32, 1 thread",
    rows,
    "queries/s ratio micro-batched / unbatched": ratios,
  };
  await base.dispose?.();
}

if (run("ingest")) {
  const docs = loadCorpus()
    .slice(0, nDocs)
    .map((d) => d.text);
  const slice = 128;
  const variants: Array<{ name: string; o: TransformersEmbedderOptions; call: number }> = [
    { name: "previous: calls of 32 docs, default threads", o: {}, call: 32 },
    { name: "calls of 128 docs (length-sorted), default threads", o: {}, call: slice },
    { name: "calls of 128 docs, 1 thread", o: { threads: 1 }, call: slice },
    ...ingestVariants(),
  ];
  const embedders: TransformersEmbedder[] = [];
  for (const v of variants) embedders.push(await load({ dtype: "fp32", batchSize: 32, ...v.o }));
  const ms = variants.map(() => 0);
  const vectors = variants.map(() => [] as Float32Array[]);
  for (const e of embedders) await e.embedDocuments(docs.slice(0, 8)); // warm-up
  // slices of 128 docs interleave the variants, so that load from other processes hits them alike
  for (let i = 0; i < docs.length; i += slice) {
    const part = docs.slice(i, i + slice);
    for (const [k, v] of variants.entries()) {
      const t = performance.now();
      for (let j = 0; j < part.length; j += v.call)
        vectors[k]!.push(...(await embedders[k]!.embedDocuments(part.slice(j, j + v.call))));
      ms[k]! += performance.now() - t;
    }
  }
  const rows = variants.map((v, k) => {
    const cos = vectors[k]!.map((x, i) => cosineSimilarity(x, vectors[0]![i]!));
    return {
      variant: v.name,
      "docs/s": (docs.length / ms[k]!) * 1000,
      "speed-up vs previous": ms[0]! / ms[k]!,
      "min cosine vs previous": Math.min(...cos).toFixed(6),
    };
  });
  printTable(rows);
  results.ingest = { date: new Date().toISOString(), documents: docs.length, batchSize: 32, rows };
  for (const e of embedders) await e.dispose?.();
}

if (run("ndcg")) {
  // nDCG@10 per dtype on a SciFact subset: the relevant documents of the first --queries queries
  // with qrels plus the corpus head up to --docs documents (fewer distractors than the full
  // corpus, so absolute values are higher than on all 5,183; the dtype differences are the point)
  const qrels = loadQrels();
  const qs = loadQueries()
    .filter((q) => qrels.has(q.id))
    .slice(0, nQueries);
  const subQrels = new Map(qs.map((q) => [q.id, qrels.get(q.id)!]));
  const wanted = new Set(qs.flatMap((q) => [...qrels.get(q.id)!.keys()]));
  const corpus = loadCorpus();
  const docs = corpus.filter((d) => wanted.has(d.id));
  for (const d of corpus) if (docs.length < Math.max(nDocs, wanted.size) && !wanted.has(d.id)) docs.push(d);
  const variants = [
    { name: "fp32", o: { dtype: "fp32" } },
    { name: "q8", o: { dtype: "q8" } },
    ...altQ8().map(({ label, dir }) => ({ name: `q8 ${label}`, o: { dtype: "q8", localModelPath: dir } })),
  ] as Array<{ name: string; o: TransformersEmbedderOptions }>;
  const rows: Array<Record<string, string | number>> = [];
  for (const v of variants) {
    const e = await load({ threads: 1, ...v.o });
    const dv = await e.embedDocuments(docs.map((d) => d.text));
    const qv = await e.embedQueries(qs.map((q) => q.text));
    const runMap = new Map(
      qs.map((q, i) => {
        const scored = dv.map((x, j) => [cosineSimilarity(qv[i]!, x), j] as const);
        scored.sort((a, b) => b[0] - a[0]);
        return [q.id, scored.slice(0, 10).map(([, j]) => docs[j]!.id)];
      }),
    );
    rows.push({ dtype: v.name, "nDCG@10": meanMetric(runMap, subQrels, (r, rel) => ndcgAt(r, rel, 10)) });
    await e.dispose?.();
  }
  for (const r of rows) r["minus fp32"] = (r["nDCG@10"] as number) - (rows[0]!["nDCG@10"] as number);
  printTable(rows);
  results.ndcg = { date: new Date().toISOString(), queries: qs.length, documents: docs.length, rows };
}

writeResults("embedding", results);
console.log(`wrote ${file}`);

/** Variants of the ingest section beyond the thread settings. */
function ingestVariants(): Array<{ name: string; o: TransformersEmbedderOptions; call: number }> {
  return [
    {
      name: "calls of 128 docs, 2 threads without spinning",
      o: { threads: 2, sessionOptions: { extra: { session: { intra_op: { allow_spinning: "0" } } } } },
      call: 128,
    },
    { name: "calls of 128 docs, 2 sessions x 1 thread", o: { threads: 1, sessions: 2 }, call: 128 },
  ];
}

/** Other int8 exports to compare: `--q8-dirs=label=modelDir,…` (modelDir holds Xenova/all-MiniLM-L6-v2/onnx/). */
function altQ8(): Array<{ label: string; dir: string }> {
  return (args.find((a) => a.startsWith("--q8-dirs="))?.slice("--q8-dirs=".length) ?? "")
    .split(",")
    .filter(Boolean)
    .map((x) => {
      const [label, dir] = x.includes("=") ? x.split("=") : [x, x];
      return { label: label!, dir: dir! };
    });
}
