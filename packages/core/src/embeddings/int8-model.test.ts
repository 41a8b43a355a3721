import { execFile } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { occurrences } from "../../../../test/onnx-ops.js";
import { REPO_ROOT, requireModelDir } from "../../../../test/services.js";
import { cosineSimilarity } from "../index.js";
import { createTransformersEmbedder, type TransformersEmbedder } from "../transformers.js";
import { onnxFileOf } from "./model-location.js";

const MODEL = "Xenova/all-MiniLM-L6-v2";
const PREPARE = join(REPO_ROOT, "scripts", "prepare-models.sh");
/** Runs prepare-models.sh (asynchronously: a blocked worker would miss vitest's heartbeats). */
const prepare = (env: NodeJS.ProcessEnv) => promisify(execFile)("bash", [PREPARE], { env });
const INT8_FILES = [
  "model_quantized.onnx",
  "model_int8.onnx",
  "model_uint8.onnx",
  "model_fused.onnx",
  "model_fused_quantized.onnx",
  "quantize.json",
];

const texts = [
  "How do I retry a failed HTTP request with exponential backoff?",
  "Vitamin D supplementation reduces the risk of fractures in older adults.",
  "0-dimensional biomaterials show inductive properties.",
  "The recipe needs two cups of flour and a pinch of salt.",
];

describe("dynamic int8 model files (real all-MiniLM-L6-v2 from the local model folder)", () => {
  let dir: string;
  let fp32: TransformersEmbedder;
  beforeAll(async () => {
    dir = requireModelDir();
    fp32 = await createTransformersEmbedder({
      localModelPath: dir,
      offline: true,
      dtype: "fp32",
      threads: 1,
    });
  });
  afterAll(async () => {
    await fp32?.dispose?.();
  });

  for (const dtype of ["q8", "int8", "uint8"] as const) {
    it(`${dtype} loads ${onnxFileOf(dtype)} through the normal lookup: MatMulInteger, cosine > 0.99 to fp32`, async () => {
      const file = join(dir, MODEL, onnxFileOf(dtype));
      // dynamic quantisation: int8 matrix products at run time, not int8 weights cast back to fp32
      expect(occurrences(file, "MatMulInteger")).toBeGreaterThanOrEqual(36);
      expect(occurrences(file, "DynamicQuantizeLinear")).toBeGreaterThan(0);
      const e = await createTransformersEmbedder({
        localModelPath: dir,
        offline: true,
        dtype,
        threads: 1,
        modelFileName: "model",
      });
      try {
        expect(e.modelSource).toBe("localModelPath");
        expect(e.modelFile).toBe(onnxFileOf(dtype));
        expect(e.modelId).toBe(`${MODEL}:${dtype}`);
        const [a, b] = [await fp32.embedDocuments(texts), await e.embedDocuments(texts)];
        for (let i = 0; i < texts.length; i++) {
          expect(Math.hypot(...b[i]!)).toBeCloseTo(1, 5);
          expect(cosineSimilarity(a[i]!, b[i]!)).toBeGreaterThan(0.99);
          expect(cosineSimilarity(a[i]!, b[i]!)).toBeLessThan(0.999999); // really other weights than fp32
        }
      } finally {
        await e.dispose?.();
      }
    });
  }

  it("the manifest records the recipe and the checksum of the fp32 source", () => {
    const manifest = JSON.parse(readFileSync(join(dir, MODEL, "onnx", "quantize.json"), "utf8"));
    expect(manifest.recipe_version).toBeGreaterThanOrEqual(1);
    expect(Object.keys(manifest.files).sort()).toEqual([
      "model_fused.onnx",
      "model_fused_quantized.onnx",
      "model_int8.onnx",
      "model_quantized.onnx",
      "model_uint8.onnx",
    ]);
    expect(manifest.files["model_fused_quantized.onnx"].source).toBe("model_fused.onnx");
    expect(manifest.files["model_uint8.onnx"].weight_type).toBe("QUInt8");
    expect(manifest.source.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("prepare-models adds the int8 files to a folder lacking them, the same bytes, then does nothing", async () => {
    const root = mkdtempSync(join(tmpdir(), "ragloom-prepare-"));
    try {
      const src = join(dir, MODEL);
      const dst = join(root, MODEL);
      // a folder as an earlier version of the script left it: fp32, config and tokenizer only
      mkdirSync(join(dst, "onnx"), { recursive: true });
      for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json", "onnx/model.onnx"])
        linkSync(join(src, f), join(dst, f));
      const env = { ...process.env, RAGLOOM_MODEL_DIR: root };
      await prepare(env);
      for (const f of INT8_FILES.slice(0, 5))
        expect(readFileSync(join(dst, "onnx", f)).equals(readFileSync(join(src, "onnx", f)))).toBe(true);
      const before = INT8_FILES.map((f) => statSync(join(dst, "onnx", f)).ino);
      const t = performance.now();
      const { stdout, stderr } = await prepare(env);
      expect(performance.now() - t).toBeLessThan(5_000);
      expect(stdout + stderr).toBe("");
      expect(INT8_FILES.map((f) => statSync(join(dst, "onnx", f)).ino)).toEqual(before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 600_000);
});
