import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { requireModelDir } from "../../../test/services.js";
import { cosineSimilarity, ServiceError, ValidationError } from "../src/index.js";
import { createTransformersEmbedder, type TransformersEmbedder } from "../src/transformers.js";

let fp32: TransformersEmbedder;
let q8: TransformersEmbedder;
beforeAll(async () => {
  const localModelPath = requireModelDir();
  fp32 = await createTransformersEmbedder({ localModelPath, offline: true, dtype: "fp32", batchSize: 4 });
  q8 = await createTransformersEmbedder({ localModelPath, offline: true, dtype: "q8" });
});

const sentences = [
  "How do I retry a failed HTTP request with exponential backoff?",
  "Retrying failed network calls with increasing delays between attempts.",
  "The recipe needs two cups of flour and a pinch of salt.",
  "Vitamin D supplementation reduces the risk of fractures in older adults.",
  "A",
];

describe("createTransformersEmbedder (real all-MiniLM-L6-v2, offline)", () => {
  it("returns 384-d unit vectors in input order, batched", async () => {
    expect(fp32.dimensions).toBe(384);
    expect(fp32.normalized).toBe(true);
    // the weights' dtype is part of the id: int8 and fp32 vectors must never share a cache entry
    expect(fp32.modelId).toBe("Xenova/all-MiniLM-L6-v2:fp32");
    // …and so is the graph of a quantised file: the fused-attention q8 file gives other int8 vectors
    expect(q8.modelId).toBe("Xenova/all-MiniLM-L6-v2:q8@model_fused");
    const vs = await fp32.embedDocuments(sentences);
    expect(vs).toHaveLength(sentences.length);
    for (const v of vs) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(384);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    }
    // order and batching do not change a text's embedding
    const single = await fp32.embedQuery(sentences[2]!);
    expect(cosineSimilarity(single, vs[2]!)).toBeGreaterThan(0.99999);
  });

  it("dynamic int8: a text's vector does not depend on the texts embedded with it", async () => {
    const alone = await q8.embedDocuments([sentences[2]!]);
    const withOthers = await q8.embedDocuments(sentences);
    expect(Array.from(withOthers[2]!)).toEqual(Array.from(alone[0]!));
    // a batch larger than one is honoured, with a warning that it mixes texts' activation scales
    const warnings: string[] = [];
    const batched = await createTransformersEmbedder({
      localModelPath: requireModelDir(),
      offline: true,
      dtype: "q8",
      batchSize: 8,
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings.join("\n")).toMatch(/batchSize 8 with dtype q8/);
    await batched.dispose?.();
  });

  it("places paraphrases close and unrelated texts far", async () => {
    const [a, b, c] = await fp32.embedDocuments(sentences.slice(0, 3));
    expect(cosineSimilarity(a!, b!)).toBeGreaterThan(0.5);
    expect(cosineSimilarity(a!, c!)).toBeLessThan(0.2);
  });

  it("int8 weights agree with fp32 (cosine > 0.97: dynamic int8 activations)", async () => {
    const a = await fp32.embedDocuments(sentences);
    const b = await q8.embedDocuments(sentences);
    a.forEach((v, i) => expect(cosineSimilarity(v, b[i]!)).toBeGreaterThan(0.97));
  });

  it("truncates at 256 word pieces like sentence-transformers", async () => {
    const long = "hello ".repeat(400);
    expect(fp32.countTokens(long)).toBe(400);
    const capped = "hello ".repeat(254); // 254 + [CLS] + [SEP] = 256
    const [x, y] = await fp32.embedDocuments([long, capped]);
    expect(cosineSimilarity(x!, y!)).toBeGreaterThan(0.99999);
  });

  it("matches sentence-transformers on PyTorch (reference fixture) incl. a truncated abstract", async () => {
    const ref = JSON.parse(
      readFileSync(join(import.meta.dirname, "fixtures", "minilm-reference.json"), "utf8"),
    ) as {
      texts: string[];
      embeddings: number[][];
    };
    const a = await fp32.embedDocuments(ref.texts);
    const b = await q8.embedDocuments(ref.texts);
    expect(fp32.countTokens(ref.texts.at(-1)!)).toBeGreaterThan(256);
    ref.embeddings.forEach((want, i) => {
      expect(cosineSimilarity(a[i]!, want)).toBeGreaterThan(0.9999);
      expect(cosineSimilarity(b[i]!, want)).toBeGreaterThan(0.97);
    });
  });

  it("embedQueries embeds several queries as embedQuery does one", async () => {
    const many = await fp32.embedQueries(sentences);
    expect(many).toHaveLength(sentences.length);
    for (const [i, text] of sentences.entries()) {
      expect(cosineSimilarity(many[i]!, await fp32.embedQuery(text))).toBeGreaterThan(0.99999);
    }
  });

  it("threads and sessionOptions reach onnxruntime without changing vectors", async () => {
    const one = await createTransformersEmbedder({
      localModelPath: requireModelDir(),
      offline: true,
      threads: 1,
      sessionOptions: { extra: { session: { intra_op: { allow_spinning: "0" } } } },
    });
    expect(one.modelId).toBe(fp32.modelId);
    const [a, b] = [await one.embedDocuments(sentences), await fp32.embedDocuments(sentences)];
    a.forEach((v, i) => expect(cosineSimilarity(v, b[i]!)).toBeGreaterThan(0.99999));
    await one.dispose?.();
    // an option onnxruntime rejects shows that sessionOptions reach it
    await expect(
      createTransformersEmbedder({
        localModelPath: requireModelDir(),
        offline: true,
        sessionOptions: { graphOptimizationLevel: "no-such-level" },
      }),
    ).rejects.toBeInstanceOf(ServiceError);
    await expect(
      createTransformersEmbedder({ localModelPath: requireModelDir(), threads: -1 }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("sessions: 2 runs batches side by side with the same vectors, and honours abort", async () => {
    const two = await createTransformersEmbedder({
      localModelPath: requireModelDir(),
      offline: true,
      threads: 1,
      sessions: 2,
      batchSize: 2,
    });
    const texts = [...sentences, ...sentences.map((t) => `${t} again`)];
    const [a, b] = [await two.embedDocuments(texts), await fp32.embedDocuments(texts)];
    expect(a).toHaveLength(texts.length);
    a.forEach((v, i) => expect(cosineSimilarity(v, b[i]!)).toBeGreaterThan(0.99999));
    const controller = new AbortController();
    controller.abort();
    await expect(two.embedDocuments(texts, { signal: controller.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
    await two.dispose?.();
    await expect(
      createTransformersEmbedder({ localModelPath: requireModelDir(), sessions: 0 }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("fails with a typed error when the model is missing offline", async () => {
    await expect(
      createTransformersEmbedder({
        localModelPath: requireModelDir(),
        offline: true,
        model: "nobody/missing-model",
      }),
    ).rejects.toBeInstanceOf(ServiceError);
  });

  it("falls back to cpu with a warning when the device is unavailable", async () => {
    const warnings: string[] = [];
    const e = await createTransformersEmbedder({
      localModelPath: requireModelDir(),
      offline: true,
      dtype: "q8",
      device: "cuda",
      onWarning: (m) => warnings.push(m),
    });
    expect(e.device).toBe("cpu");
    expect(warnings.join()).toMatch(/falling back to cpu/);
    expect((await e.embedQuery("hello")).length).toBe(384);
  });
});
