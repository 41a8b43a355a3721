/**
 * The int8 variants bench/embedding.ts compares with fp32, and SciFact retrieval with each one's
 * vectors. A variant is a model folder under bench/.cache/models/<label>/ whose
 * Xenova/all-MiniLM-L6-v2/ links every file of the local model folder except one ONNX file,
 * which links the variant's file instead, so it loads through the normal lookup (`localModelPath`).
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { cosineSimilarity } from "@ragloom/core";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { embedCached, MODEL_DIR } from "./embeddings.js";
import { meanMetric, ndcgAt, recallAt } from "./metrics.js";
import { loadCorpus, loadQrels, loadQueries } from "./scifact.js";

export const MODEL = "Xenova/all-MiniLM-L6-v2";
export const BENCH_CACHE = resolve(import.meta.dirname, "..", ".cache");
/** The local model folder's `<model id>/` (what `scripts/prepare-models.sh` fills). */
export const MODEL_PATH = join(MODEL_DIR, MODEL);

/** One embedder configuration: the dtype, and the model folder when not the local one. */
export interface DtypeVariant {
  label: string;
  dtype: "fp32" | "q8" | "int8" | "uint8";
  /** A folder holding `<model id>/` (for {@link variantFolder}'s), or undefined for the local one. */
  localModelPath?: string;
  /** The ONNX file it runs, for the operator census. */
  file: string;
  /** Its `modelFileName` (`model`, or `model_fused` for the fused-attention files). */
  fileName: string;
}

/**
 * A model folder for `file` loaded as `dtype` (default q8, i.e. linked as onnx/model_quantized.onnx):
 * bench/.cache/models/<label>/, rebuilt on each call.
 */
export function variantFolder(label: string, file: string, as = "model_quantized.onnx"): string {
  const root = join(BENCH_CACHE, "models", label);
  // built under a name of its own, then renamed: benchmark processes running side by side may build it too
  const tmp = `${root}.tmp-${process.pid}`;
  const dest = join(tmp, MODEL);
  rmSync(tmp, { recursive: true, force: true });
  const link = (rel: string) => {
    const to = join(dest, rel);
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(join(MODEL_PATH, rel), to);
  };
  const walk = (rel: string) => {
    for (const name of readdirSync(join(MODEL_PATH, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (lstatSync(join(MODEL_PATH, r)).isDirectory()) walk(r);
      else if (!r.startsWith("onnx/")) link(r);
    }
  };
  walk("");
  mkdirSync(join(dest, "onnx"), { recursive: true });
  symlinkSync(resolve(file), join(dest, "onnx", as));
  symlinkSync(join(MODEL_PATH, "onnx", "model.onnx"), join(dest, "onnx", "model.onnx"));
  rmSync(root, { recursive: true, force: true });
  try {
    renameSync(tmp, root);
  } catch (e) {
    if (!existsSync(join(root, MODEL, "onnx", as))) throw e; // another process put the same folder there
    rmSync(tmp, { recursive: true, force: true });
  }
  return root;
}

/**
 * The weight-only int8 file (int8 initialisers + Cast + Mul) the model folder used to ship as
 * q8: `--weight-only=<file>`, else the copy in ../shared/models beside the repository, if any.
 */
export function weightOnlyFile(args: string[]): string | undefined {
  const given = args.find((a) => a.startsWith("--weight-only="))?.slice("--weight-only=".length);
  const shared = resolve(import.meta.dirname, "..", "..", "..", "shared", "models", MODEL, "onnx");
  const candidate = given ?? join(shared, "model_quantized.onnx");
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * The variants: fp32; the local folder's q8 (and uint8 when present); the weight-only file when
 * found; and `--variants=a,b` from bench/.cache/quant/<name>.onnx (written by
 * `scripts/quantize_minilm.py MODEL_DIR --variant <name> bench/.cache/quant/<name>.onnx`).
 */
export function dtypeVariants(args: string[]): DtypeVariant[] {
  const onnx = join(MODEL_PATH, "onnx");
  const out: DtypeVariant[] = [
    { label: "fp32", dtype: "fp32", file: join(onnx, "model.onnx"), fileName: "model" },
  ];
  const fused = (label: string, dtype: DtypeVariant["dtype"], name: string) => {
    if (existsSync(join(onnx, name)))
      out.push({ label, dtype, file: join(onnx, name), fileName: "model_fused" });
  };
  fused("fp32 fused attention", "fp32", "model_fused.onnx");
  const weightOnly = weightOnlyFile(args);
  if (weightOnly)
    out.push({
      label: "q8 weight-only (old file)",
      dtype: "q8",
      localModelPath: variantFolder("weight-only", weightOnly),
      file: weightOnly,
      fileName: "model",
    });
  out.push({
    label: "q8 (local folder)",
    dtype: "q8",
    file: join(onnx, "model_quantized.onnx"),
    fileName: "model",
  });
  fused("q8 fused attention", "q8", "model_fused_quantized.onnx");
  if (existsSync(join(onnx, "model_uint8.onnx")))
    out.push({
      label: "uint8 (local folder)",
      dtype: "uint8",
      file: join(onnx, "model_uint8.onnx"),
      fileName: "model",
    });
  const names = (args.find((a) => a.startsWith("--variants="))?.slice("--variants=".length) ?? "")
    .split(",")
    .filter(Boolean);
  for (const name of names) {
    const file = join(BENCH_CACHE, "quant", `${name}.onnx`);
    if (!existsSync(file)) throw new Error(`no ${file}: see dtypeVariants' docstring`);
    out.push({
      label: `q8 ${name}`,
      dtype: "q8",
      localModelPath: variantFolder(name, file),
      file,
      fileName: "model",
    });
  }
  return out;
}

/** SciFact train: the corpus, its qrels, and the 809 claims that have qrels. */
export function sciFactTrain() {
  const corpus = loadCorpus();
  const qrels = loadQrels();
  const claims = loadQueries().filter((q) => qrels.has(q.id));
  return { corpus, qrels, claims };
}

/**
 * Dense retrieval on all of SciFact train with `embedder`'s vectors (exact cosine over the 5,183
 * documents): nDCG@10 and Recall@100 (BEIR's definitions, bench/lib/metrics.ts) averaged over the
 * claims with qrels, plus the per-query nDCG@10 for paired comparisons. Document and query vectors
 * are cached by `embedCached` under `tag`, which must name the variant (the model id is the same
 * for every q8 file).
 */
export async function sciFactRetrieval(
  embedder: TransformersEmbedder,
  tag: string,
  data = sciFactTrain(),
  onProgress?: (done: number, total: number) => void,
) {
  const { corpus, qrels, claims } = data;
  // fp32 uses loadSciFactVectors' tags, so that both read the same cached vectors
  const [docTag, queryTag] = embedder.modelId.endsWith(":fp32")
    ? ["fp32", "fp32-queries"]
    : [`${tag}-docs`, `${tag}-queries`];
  const docs = await embedCached(
    embedder,
    corpus.map((d) => d.text),
    docTag,
    onProgress,
  );
  const queries = await embedCached(
    embedder,
    claims.map((q) => q.text),
    queryTag,
  );
  const run = new Map<string, string[]>();
  claims.forEach((q, i) => {
    const scored = docs.map((d, j) => [cosineSimilarity(queries[i]!, d), j] as const);
    scored.sort((a, b) => b[0] - a[0]);
    run.set(
      q.id,
      scored.slice(0, 100).map(([, j]) => corpus[j]!.id),
    );
  });
  const perQuery = claims.map((q) => ndcgAt(run.get(q.id)!, qrels.get(q.id)!, 10));
  return {
    ndcg10: meanMetric(run, qrels, (r, rel) => ndcgAt(r, rel, 10)),
    recall100: meanMetric(run, qrels, (r, rel) => recallAt(r, rel, 100)),
    perQuery,
    docs,
    queries,
  };
}

/**
 * Paired bootstrap 95% interval of the mean difference `a[i] - b[i]` (1,000 resamples, fixed
 * seed; Efron & Tibshirani 1993): how far a dtype's nDCG@10 could be from fp32's by chance.
 */
export function pairedInterval(a: number[], b: number[], resamples = 1000): [number, number] {
  const d = a.map((x, i) => x - b[i]!);
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < d.length; i++) s += d[Math.floor(rand() * d.length)]!;
    means.push(s / d.length);
  }
  means.sort((x, y) => x - y);
  return [means[Math.floor(resamples * 0.025)]!, means[Math.floor(resamples * 0.975)]!];
}
