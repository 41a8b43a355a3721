/**
 * Embedding speed of the transformers embedder (all-MiniLM-L6-v2) on SciFact, variants
 * interleaved in one run so that load from other processes hits them alike:
 *   dtype     query latency fp32 vs q8 at 1 thread and at onnxruntime's default threads
 *             (wall and CPU ms per query), q8-vs-fp32 cosine, operator census of both files
 *   batching  end-to-end queries/s and p50/p99 at 1, 8, 64 concurrent callers, with and without
 *             withMicroBatching
 *   ingest    docs/s on SciFact abstracts (title + text) at batch 32 fp32, variants vs the
 *             previous settings, cosine vs the previous vectors
 * Usage: nice -n 10 pnpm tsx bench/embedding.ts [dtype] [batching] [ingest] [--docs=500] [--queries=200]
 * Writes bench/results/embedding.json (sections run now replace the stored ones).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cosineSimilarity, type Embedder, withMicroBatching } from "@ragloom/core";
import { createTransformersEmbedder, type TransformersEmbedderOptions } from "@ragloom/core/transformers";
import { MODEL_DIR } from "./lib/embeddings.js";
import { percentile } from "./lib/metrics.js";
import { onnxCensus } from "./lib/onnx-ops.js";
import { printTable, writeResults } from "./lib/report.js";
import { loadCorpus, loadQueries } from "./lib/scifact.js";

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
  ] as const;
  const embedders = await Promise.all(variants.map((v) => load(v.o)));
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
  const q8 = embedders[1]!;
  const docs = loadCorpus()
    .slice(0, 64)
    .map((d) => d.text);
  const cos = async (texts: string[], f: (e: Embedder) => Promise<Float32Array[]>) => {
    const [a, b] = [await f(fp32), await f(q8)];
    const c = a.map((v, i) => cosineSimilarity(v, b[i]!));
    return { mean: c.reduce((s, x) => s + x, 0) / c.length, min: Math.min(...c), n: texts.length };
  };
  const cosine = {
    queries: await cos(queries, (e) => Promise.all(queries.map((q) => e.embedQuery(q)))),
    documents: await cos(docs, (e) => e.embedDocuments(docs)),
  };
  console.table(cosine);
  const onnx = join(MODEL_DIR, "Xenova", "all-MiniLM-L6-v2", "onnx");
  const census = {
    fp32: onnxCensus(join(onnx, "model.onnx")),
    q8: onnxCensus(join(onnx, "model_quantized.onnx")),
  };
  const pick = (c: (typeof census)["q8"]) => ({
    MatMul: c.ops.MatMul ?? 0,
    MatMulInteger: c.ops.MatMulInteger ?? 0,
    DynamicQuantizeLinear: c.ops.DynamicQuantizeLinear ?? 0,
    Cast: c.ops.Cast ?? 0,
    "int8 initialisers": c.initializers.int8 ?? 0,
  });
  console.table({ fp32: pick(census.fp32), q8: pick(census.q8) });
  results.dtype = { date: new Date().toISOString(), queries: queries.length, rows, cosine, census };
  for (const e of embedders) await e.dispose?.();
}

if (run("batching")) {
  const base = await load({ dtype: "fp32", threads: 1 });
  const batched = withMicroBatching(base, { batchWindowMs: 2, maxBatch: 16 });
  const rows: Array<Record<string, string | number>> = [];
  const total = nQueries;
  for (const callers of [1, 8, 64])
    for (const [name, e] of [
      ["unbatched", base],
      ["micro-batched (2 ms, 16)", batched],
    ] as const) {
      const lat: number[] = [];
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: callers }, async () => {
          while (next < total) {
            const q = queries[next++ % queries.length]!;
            const t = performance.now();
            await e.embedQuery(q);
            lat.push(performance.now() - t);
          }
        }),
      );
      const s = (performance.now() - t0) / 1000;
      const st = stats(lat);
      rows.push({ callers, variant: name, "queries/s": total / s, "p50 ms": st.p50, "p99 ms": st.p99 });
    }
  printTable(rows);
  const qps = (c: number, v: string) =>
    rows.find((r) => r.callers === c && String(r.variant).startsWith(v))!["queries/s"] as number;
  const ratios = Object.fromEntries([1, 8, 64].map((c) => [`${c} callers`, qps(c, "micro") / qps(c, "unb")]));
  console.table(ratios);
  results.batching = {
    date: new Date().toISOString(),
    queriesPerConfig: total,
    embedder: "fp32, 1 thread",
    rows,
    "queries/s ratio micro-batched / unbatched": ratios,
  };
  await base.dispose?.();
}

writeResults("embedding", results);
console.log(`wrote ${file}`);
