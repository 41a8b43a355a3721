import { linkSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { occurrences } from "../../../test/onnx-ops.js";
import { requireModelDir } from "../../../test/services.js";
import { cosineSimilarity, ValidationError } from "../src/index.js";
import {
  createTransformersEmbedder,
  ModelNotFoundError,
  type TransformersEmbedder,
} from "../src/transformers.js";

const MODEL = "Xenova/all-MiniLM-L6-v2";

const texts = [
  "A",
  "How do I retry a failed HTTP request with exponential backoff?",
  "Vitamin D supplementation reduces the risk of fractures in older adults.",
  // longer than the 256 word pieces kept: truncated the same way by both graphs
  Array.from({ length: 80 }, (_, i) => `Sentence ${i} of an abstract about protein folding.`).join(" "),
  "0-dimensional biomaterials show inductive properties.",
];

describe("fused-attention model files (real all-MiniLM-L6-v2 from the local model folder)", () => {
  let dir: string;
  const opened: TransformersEmbedder[] = [];
  const open = async (o: Parameters<typeof createTransformersEmbedder>[0]) => {
    const e = await createTransformersEmbedder({ localModelPath: dir, offline: true, threads: 1, ...o });
    opened.push(e);
    return e;
  };
  beforeAll(() => {
    dir = requireModelDir();
  });
  afterAll(async () => {
    await Promise.all(opened.map((e) => e.dispose?.()));
  });

  it("the fused files hold one Attention node per layer and none of the sdpa mask guards", () => {
    const onnx = join(dir, MODEL, "onnx");
    expect(occurrences(join(onnx, "model.onnx"), "IsNaN")).toBeGreaterThan(0);
    expect(occurrences(join(onnx, "model_fused.onnx"), "IsNaN")).toBe(0);
    expect(occurrences(join(onnx, "model_fused.onnx"), "Attention")).toBeGreaterThanOrEqual(6);
    expect(occurrences(join(onnx, "model_fused_quantized.onnx"), "QAttention")).toBeGreaterThanOrEqual(6);
    expect(occurrences(join(onnx, "model_fused_quantized.onnx"), "MatMulInteger")).toBeGreaterThanOrEqual(18);
  });

  it("fp32: loaded by default, the same vectors as model.onnx (padded batches included), the same modelId", async () => {
    const fused = await open({ dtype: "fp32", batchSize: 3 });
    const plain = await open({ dtype: "fp32", batchSize: 3, modelFileName: "model" });
    expect(fused.modelFile).toBe("onnx/model_fused.onnx");
    expect(plain.modelFile).toBe("onnx/model.onnx");
    expect(fused.modelId).toBe(`${MODEL}:fp32`);
    expect(plain.modelId).toBe(fused.modelId);
    const [a, b] = [await fused.embedDocuments(texts), await plain.embedDocuments(texts)];
    for (let i = 0; i < texts.length; i++) expect(cosineSimilarity(a[i]!, b[i]!)).toBeGreaterThan(0.99999);
    const alone = await fused.embedQuery(texts[2]!);
    expect(cosineSimilarity(alone, a[2]!)).toBeGreaterThan(0.99999);
  });

  it("q8: loaded by default, close to fp32, a modelId of its own", async () => {
    const fused = await open({ dtype: "q8" });
    const plain = await open({ dtype: "q8", modelFileName: "model" });
    const fp32 = await open({ dtype: "fp32", modelFileName: "model" });
    expect(fused.modelFile).toBe("onnx/model_fused_quantized.onnx");
    expect(fused.modelId).toBe(`${MODEL}:q8@model_fused`);
    expect(plain.modelId).toBe(`${MODEL}:q8`);
    const [f, p, r] = [
      await fused.embedDocuments(texts),
      await plain.embedDocuments(texts),
      await fp32.embedDocuments(texts),
    ];
    for (let i = 0; i < texts.length; i++) {
      expect(Math.hypot(...f[i]!)).toBeCloseTo(1, 5);
      expect(cosineSimilarity(f[i]!, r[i]!)).toBeGreaterThan(0.98);
      expect(cosineSimilarity(f[i]!, p[i]!)).toBeGreaterThan(0.98);
    }
    // a text's vector does not depend on the texts embedded with it
    expect(Array.from(await fused.embedQuery(texts[1]!))).toEqual(Array.from(f[1]!));
  });

  it("a folder without the fused files loads model.onnx; a missing or bad modelFileName is an error", async () => {
    const root = mkdtempSync(join(tmpdir(), "ragloom-unfused-"));
    try {
      const dst = join(root, MODEL);
      mkdirSync(join(dst, "onnx"), { recursive: true });
      for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"])
        linkSync(join(dir, MODEL, f), join(dst, f));
      const e = await open({ localModelPath: root, dtype: "fp32" });
      expect([e.modelSource, e.modelFile, e.modelId]).toEqual([
        "localModelPath",
        "onnx/model.onnx",
        `${MODEL}:fp32`,
      ]);
      // an explicit file the folders lack: ModelNotFoundError naming it, never another file
      const saved = { dir: process.env.RAGLOOM_MODEL_DIR, cache: process.env.RAGLOOM_CACHE };
      process.env.RAGLOOM_MODEL_DIR = "";
      process.env.RAGLOOM_CACHE = join(root, "empty-cache");
      try {
        const missing = await createTransformersEmbedder({
          localModelPath: root,
          offline: true,
          modelFileName: "model_fused",
        }).catch((x: unknown) => x);
        expect(missing).toBeInstanceOf(ModelNotFoundError);
        expect((missing as Error).message).toContain(join(dst, "onnx", "model_fused.onnx"));
      } finally {
        for (const [k, v] of [
          ["RAGLOOM_MODEL_DIR", saved.dir],
          ["RAGLOOM_CACHE", saved.cache],
        ] as const)
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
      }
      await expect(
        createTransformersEmbedder({ localModelPath: root, modelFileName: "../model" }),
      ).rejects.toThrow(ValidationError);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
