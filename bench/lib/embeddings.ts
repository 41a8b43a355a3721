import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Embedder } from "@ragloom/core";
import { createTransformersEmbedder } from "@ragloom/core/transformers";
import { loadCorpus, loadQrels, loadQueries } from "./scifact.js";

export const CACHE = process.env.RAGLOOM_CACHE ?? join(homedir(), ".cache", "ragloom");
export const MODEL_DIR = process.env.RAGLOOM_MODEL_DIR ?? join(CACHE, "models");

/** The real all-MiniLM-L6-v2 from the local model directory (offline). */
export async function loadMiniLM(dtype: "fp32" | "q8" = "fp32") {
  if (!existsSync(join(MODEL_DIR, "Xenova", "all-MiniLM-L6-v2", "onnx", "model.onnx"))) {
    throw new Error(`no model in ${MODEL_DIR}: run \`bash scripts/prepare-models.sh\``);
  }
  return createTransformersEmbedder({ localModelPath: MODEL_DIR, offline: true, dtype });
}

/**
 * Embeds texts with `embedder`, caching the vectors in `$RAGLOOM_CACHE/bench/` keyed by the
 * model id, a tag (e.g. dtype) and a hash of the texts, so reruns skip the work.
 */
export async function embedCached(
  embedder: Embedder,
  texts: string[],
  tag: string,
  onProgress?: (done: number, total: number) => void,
): Promise<Float32Array[]> {
  const hash = createHash("sha256");
  for (const t of texts) hash.update(t).update("\u0000");
  const key = `${embedder.modelId.replace(/\W+/g, "_")}-${tag}-${hash.digest("hex").slice(0, 16)}`;
  const dir = join(CACHE, "bench");
  const file = join(dir, `${key}.f32`);
  const d = embedder.dimensions;
  if (existsSync(file)) {
    const buf = readFileSync(file);
    const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    if (all.length === texts.length * d) return texts.map((_, i) => all.subarray(i * d, i * d + d));
  }
  const out: Float32Array[] = [];
  const batch = 128;
  for (let i = 0; i < texts.length; i += batch) {
    out.push(...(await embedder.embedDocuments(texts.slice(i, i + batch))));
    onProgress?.(Math.min(i + batch, texts.length), texts.length);
  }
  mkdirSync(dir, { recursive: true });
  const all = new Float32Array(texts.length * d);
  out.forEach((v, i) => all.set(v, i * d));
  writeFileSync(`${file}.tmp`, Buffer.from(all.buffer));
  renameSync(`${file}.tmp`, file);
  return out;
}

/**
 * SciFact train with its fp32 all-MiniLM-L6-v2 vectors (cached as by {@link embedCached}): the
 * corpus, qrels, the claims that have qrels, and one vector per document and per claim.
 */
export async function loadSciFactVectors() {
  const corpus = loadCorpus();
  const qrels = loadQrels();
  const claims = loadQueries().filter((q) => qrels.has(q.id));
  const embedder = await loadMiniLM("fp32");
  const docVectors = await embedCached(
    embedder,
    corpus.map((d) => d.text),
    "fp32",
  );
  const queryVectors = await embedCached(
    embedder,
    claims.map((q) => q.text),
    "fp32-queries",
  );
  return { corpus, qrels, claims, embedder, docVectors, queryVectors };
}
