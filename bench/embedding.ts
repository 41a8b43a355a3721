/**
 * Embedding speed and quality of the transformers embedder (all-MiniLM-L6-v2) per dtype, variants
 * interleaved in one run so that load from other processes hits them alike:
 *   dtype      query latency at 1 thread (wall and CPU ms per query, p50/p95) and docs/s at batch
 *              32, for fp32, the old weight-only q8 file, the local folder's dynamic int8 files and
 *              --variants; cosine to fp32; operator census of each file
 *   overhead   where a query's time goes outside session.run (tokenizer, tensors, pooling)
 *   retrieval  nDCG@10 and Recall@100 per dtype on all of SciFact train (809 claims, 5,183
 *              abstracts; vectors cached under $RAGLOOM_CACHE/bench), with a paired bootstrap
 *              interval of the difference to fp32
 *   batching   end-to-end queries/s and p50/p99 at 1, 8, 64 concurrent callers, with and without
 *              withMicroBatching
 *   ingest     docs/s on SciFact abstracts at batch 32 fp32 for thread/session settings
 * Usage: taskset -c 1 nice -n 5 pnpm tsx bench/embedding.ts [dtype] [overhead] [retrieval]
 *   [batching] [ingest] [--docs=160] [--queries=200] [--reps=1] [--weight-only=<onnx file>]
 *   [--variants=qint8-pc,…] (files from scripts/quantize_minilm.py --variant, see bench/lib/dtype-variants.ts)
 * Writes bench/results/embedding.json (sections run now replace the stored ones).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cosineSimilarity, withMicroBatching } from "@ragloom/core";
import {
  createTransformersEmbedder,
  type TransformersEmbedder,
  type TransformersEmbedderOptions,
} from "@ragloom/core/transformers";
import {
  type DtypeVariant,
  dtypeVariants,
  MODEL_PATH,
  pairedInterval,
  sciFactRetrieval,
  sciFactTrain,
} from "./lib/dtype-variants.js";
import { MODEL_DIR } from "./lib/embeddings.js";
import { percentile } from "./lib/metrics.js";
import { onnxCensus } from "./lib/onnx-ops.js";
import { queryOverhead } from "./lib/query-overhead.js";
import { printTable, writeResults } from "./lib/report.js";
import { loadCorpus, loadQueries } from "./lib/scifact.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: number) =>
  Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt);
const sections = args.filter((a) => !a.startsWith("--"));
const run = (s: string) => sections.length === 0 || sections.includes(s);
const nQueries = flag("queries", 200);
const nDocs = flag("docs", 160);

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
  // every dtype at 1 thread (run the process under `taskset -c 1` for one core), interleaved
  const variants = dtypeVariants(args);
  const embedders: TransformersEmbedder[] = [];
  for (const v of variants) embedders.push(await load(variantOptions(v)));
  const wall = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as number[]);
  for (const e of embedders) for (const q of queries.slice(0, 10)) await e.embedQuery(q); // warm-up
  for (let rep = 0; rep < flag("reps", 1); rep++)
    for (const q of queries)
      for (const [k, e] of embedders.entries()) {
        const c = process.cpuUsage();
        const t = performance.now();
        await e.embedQuery(q);
        wall[k]!.push(performance.now() - t);
        cpu[k]!.push(cpuMs(process.cpuUsage(c)));
      }
  // docs/s at batch 32: one call of 32 abstracts per variant in turn
  const docs = loadCorpus()
    .slice(0, nDocs)
    .map((d) => d.text);
  const docMs = variants.map(() => 0);
  const docCpu = variants.map(() => 0);
  const docVectors = variants.map(() => [] as Float32Array[]);
  for (let i = 0; i < docs.length; i += 32)
    for (const [k, e] of embedders.entries()) {
      const c = process.cpuUsage();
      const t = performance.now();
      docVectors[k]!.push(...(await e.embedDocuments(docs.slice(i, i + 32))));
      docMs[k]! += performance.now() - t;
      docCpu[k]! += cpuMs(process.cpuUsage(c));
    }
  const queryVectors = await Promise.all(embedders.map((e) => e.embedQueries(queries)));
  const minCos = (a: Float32Array[], b: Float32Array[]) =>
    Math.min(...a.map((v, i) => cosineSimilarity(v, b[i]!)));
  const rows = variants.map((v, k) => ({
    variant: v.label,
    "query wall p50 ms": stats(wall[k]!).p50,
    "query wall p95 ms": stats(wall[k]!).p95,
    "query CPU p50 ms": stats(cpu[k]!).p50,
    "query wall min ms": stats(wall[k]!).min,
    "CPU p50 / fp32": stats(cpu[k]!).p50 / stats(cpu[0]!).p50,
    "docs/s (batch 32)": (docs.length / docMs[k]!) * 1000,
    "docs/s CPU": (docs.length / docCpu[k]!) * 1000,
    "min cos to fp32 (queries)": minCos(queryVectors[k]!, queryVectors[0]!),
    "min cos to fp32 (docs)": minCos(docVectors[k]!, docVectors[0]!),
  }));
  printTable(rows);
  const census = Object.fromEntries(
    variants.map((v) => {
      const c = onnxCensus(v.file);
      const ops = ["MatMul", "MatMulInteger", "DynamicQuantizeLinear", "Cast"];
      return [
        v.label,
        { ...Object.fromEntries(ops.map((o) => [o, c.ops[o] ?? 0])), int8: c.initializers.int8 ?? 0 },
      ];
    }),
  );
  console.table(census);
  results.dtype = {
    date: new Date().toISOString(),
    threads: 1,
    cpuAffinity: affinity(),
    queries: queries.length,
    repetitions: flag("reps", 1),
    documents: docs.length,
    rows,
    census,
  };
  for (const e of embedders) await e.dispose?.();
}

if (run("overhead")) {
  // where a query's time goes outside session.run, per stage, for fp32 and the local q8
  const rows = [];
  for (const dtype of ["fp32", "q8"] as const)
    for (const fileName of ["model", "model_fused"])
      rows.push(...(await queryOverhead(MODEL_PATH, dtype, queries, fileName)));
  printTable(rows);
  results.overhead = { date: new Date().toISOString(), threads: 1, queries: queries.length, rows };
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
    { name: "previous: calls of 32 docs, default threads", o: { modelFileName: "model" }, call: 32 },
    {
      name: "fused attention: calls of 32 docs, default threads",
      o: { modelFileName: "model_fused" },
      call: 32,
    },
    {
      name: "fused attention: calls of 128 docs (length-sorted)",
      o: { modelFileName: "model_fused" },
      call: slice,
    },
    { name: "calls of 128 docs, 1 thread", o: { threads: 1, modelFileName: "model" }, call: slice },
    {
      name: "fused attention: calls of 128 docs, 1 thread",
      o: { threads: 1, modelFileName: "model_fused" },
      call: slice,
    },
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

if (run("retrieval")) {
  // dense search over all of SciFact train (5,183 abstracts, 809 claims with qrels) per dtype
  const data = sciFactTrain();
  const rows: Array<Record<string, string | number>> = [];
  let fp32Scores: number[] = [];
  // --only=<label part>: embed (and cache) one variant, e.g. in a process of its own
  const only = args.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  for (const v of dtypeVariants(args).filter(
    (x) => !only || only.split(",").some((o) => x.label.includes(o)),
  )) {
    const e = await load(variantOptions(v));
    const tag = `${v.dtype}-${fileDigest(v.file)}`;
    const t = performance.now();
    const r = await sciFactRetrieval(e, tag, data, (done, total) => {
      if (done % 1024 === 0) console.log(`${v.label}: ${done}/${total} documents`);
    });
    if (v.dtype === "fp32" || !fp32Scores.length) fp32Scores = r.perQuery;
    const [lo, hi] = pairedInterval(r.perQuery, fp32Scores);
    rows.push({
      dtype: v.label,
      "nDCG@10": r.ndcg10,
      "minus fp32": r.ndcg10 - ((rows[0]?.["nDCG@10"] as number | undefined) ?? r.ndcg10),
      "95% interval": `[${lo.toFixed(4)}, ${hi.toFixed(4)}]`,
      "Recall@100": r.recall100,
      "embed s (0 = cached)": Math.round((performance.now() - t) / 1000),
    });
    await e.dispose?.();
  }
  printTable(rows);
  results.retrieval = {
    date: new Date().toISOString(),
    dataset: "BEIR SciFact train",
    queries: data.claims.length,
    documents: data.corpus.length,
    rows,
  };
}

writeResults("embedding", results);
console.log(`wrote ${file}`);

/** Variants of the ingest section beyond the thread settings. */
function ingestVariants(): Array<{ name: string; o: TransformersEmbedderOptions; call: number }> {
  return [
    {
      name: "calls of 128 docs, 2 threads without spinning",
      o: {
        threads: 2,
        modelFileName: "model",
        sessionOptions: { extra: { session: { intra_op: { allow_spinning: "0" } } } },
      },
      call: 128,
    },
    {
      name: "calls of 128 docs, 2 sessions x 1 thread",
      o: { threads: 1, sessions: 2, modelFileName: "model" },
      call: 128,
    },
  ];
}

/** Embedder options of a dtype variant: 1 thread, its dtype, its folder when not the local one. */
function variantOptions(v: DtypeVariant): TransformersEmbedderOptions {
  return {
    dtype: v.dtype,
    threads: 1,
    modelFileName: v.fileName,
    ...(v.localModelPath ? { localModelPath: v.localModelPath } : {}),
  };
}

/** 12 hex digits of SHA-256 of a file (names cached vectors after the exact ONNX file). */
function fileDigest(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 12);
}

/** The CPUs this process may run on (Linux), e.g. "1" under `taskset -c 1`. */
function affinity(): string {
  try {
    return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? "unknown";
  } catch {
    return "unknown";
  }
}
