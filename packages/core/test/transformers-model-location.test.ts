import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { env } from "@huggingface/transformers";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { requireModelDir } from "../../../test/services.js";
import { cosineSimilarity, ServiceError } from "../src/index.js";
import { createTransformersEmbedder, defaultModelDir, ModelNotFoundError } from "../src/transformers.js";

const MODEL = "Xenova/all-MiniLM-L6-v2";
const source = join(requireModelDir(), MODEL);
const root = mkdtempSync(join(tmpdir(), "ragloom-model-location-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A model folder `<dir>/Xenova/all-MiniLM-L6-v2` copied from the real one (JSON files copied, the
 * large ONNX files linked). `cased: true` turns off the tokenizer's lower-casing, so that
 * "HELLO" and "hello" embed differently: a way to tell which folder an embedder loaded.
 */
function modelFolder(name: string, opts: { cased?: boolean; onnx?: string[] } = {}): string {
  const dir = join(root, name);
  const target = join(dir, MODEL);
  mkdirSync(join(target, "onnx"), { recursive: true });
  for (const f of readdirSync(source))
    if (f.endsWith(".json") || f === "vocab.txt") copyFileSync(join(source, f), join(target, f));
  for (const f of opts.onnx ?? ["model.onnx", "model_quantized.onnx"])
    symlinkSync(join(source, "onnx", f), join(target, "onnx", f));
  if (opts.cased) {
    const tok = JSON.parse(readFileSync(join(target, "tokenizer.json"), "utf8"));
    tok.normalizer.lowercase = false;
    writeFileSync(join(target, "tokenizer.json"), JSON.stringify(tok));
  }
  return dir;
}
function emptyFolder(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const uncased = modelFolder("uncased");
const cased = modelFolder("cased", { cased: true });
/** Cosine of "HELLO" and "hello": 1 with the model's lower-casing tokenizer, far below with the cased copy. */
async function caseGap(e: Awaited<ReturnType<typeof createTransformersEmbedder>>): Promise<number> {
  const [a, b] = await e.embedDocuments(["HELLO", "hello"]);
  return cosineSimilarity(a!, b!);
}

const saved = { dir: process.env.RAGLOOM_MODEL_DIR, cache: process.env.RAGLOOM_CACHE };
beforeEach(() => {
  delete process.env.RAGLOOM_MODEL_DIR;
  process.env.RAGLOOM_CACHE = emptyFolder("no-cache");
});
afterEach(() => {
  for (const [k, v] of [
    ["RAGLOOM_MODEL_DIR", saved.dir],
    ["RAGLOOM_CACHE", saved.cache],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("createTransformersEmbedder model resolution", () => {
  it("two embedders with different folders, loaded concurrently, each use their own", async () => {
    const envBefore = env.localModelPath;
    const [a, b] = await Promise.all([
      createTransformersEmbedder({ localModelPath: uncased, offline: true, threads: 1 }),
      createTransformersEmbedder({ localModelPath: cased, offline: true, threads: 1 }),
    ]);
    expect(a.modelPath).toBe(join(uncased, MODEL));
    expect(b.modelPath).toBe(join(cased, MODEL));
    expect(a.modelSource).toBe("localModelPath");
    expect(b.modelSource).toBe("localModelPath");
    expect(await caseGap(a)).toBeGreaterThan(0.9999);
    expect(await caseGap(b)).toBeLessThan(0.9);
    // transformers.js's process-wide setting is left as it was
    expect(env.localModelPath).toBe(envBefore);
    await Promise.all([a.dispose?.(), b.dispose?.()]);
  });

  it("order: localModelPath, then $RAGLOOM_MODEL_DIR, then $RAGLOOM_CACHE/models", async () => {
    process.env.RAGLOOM_MODEL_DIR = cased;
    const cache = join(root, "cache");
    mkdirSync(cache, { recursive: true });
    symlinkSync(uncased, join(cache, "models"));
    process.env.RAGLOOM_CACHE = cache;
    expect(defaultModelDir()).toBe(join(cache, "models"));

    const explicit = await createTransformersEmbedder({ localModelPath: uncased, offline: true, threads: 1 });
    expect([explicit.modelSource, explicit.modelPath]).toEqual(["localModelPath", join(uncased, MODEL)]);
    await explicit.dispose?.();

    // a localModelPath without the model falls through to $RAGLOOM_MODEL_DIR
    const fromEnv = await createTransformersEmbedder({
      localModelPath: emptyFolder("empty-a"),
      offline: true,
      threads: 1,
    });
    expect([fromEnv.modelSource, fromEnv.modelPath]).toEqual(["RAGLOOM_MODEL_DIR", join(cased, MODEL)]);
    expect(await caseGap(fromEnv)).toBeLessThan(0.9);
    await fromEnv.dispose?.();

    // a folder without the ONNX file of the dtype does not count
    process.env.RAGLOOM_MODEL_DIR = modelFolder("fp32-only", { onnx: ["model.onnx"] });
    const fallback = await createTransformersEmbedder({ dtype: "q8", offline: true, threads: 1 });
    expect(fallback.modelSource).toBe("default");
    expect(fallback.modelPath).toBe(join(cache, "models", MODEL));
    expect(fallback.modelId).toBe(`${MODEL}:q8`);
    await fallback.dispose?.();
  });

  it("offline with no folder holding the model: ModelNotFoundError naming every folder and the fix", async () => {
    const explicit = emptyFolder("empty-b");
    process.env.RAGLOOM_MODEL_DIR = modelFolder("fp32-only-2", { onnx: ["model.onnx"] });
    const err = await createTransformersEmbedder({
      localModelPath: explicit,
      dtype: "q8",
      offline: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelNotFoundError);
    expect(err).toBeInstanceOf(ServiceError);
    const e = err as ModelNotFoundError;
    expect(e.code).toBe("ERR_SERVICE");
    expect(e.retryable).toBe(false);
    expect(e.tried.map((t) => t.source)).toEqual(["localModelPath", "RAGLOOM_MODEL_DIR", "default"]);
    expect(e.message).toContain(join(explicit, MODEL, "config.json"));
    expect(e.message).toContain(join(process.env.RAGLOOM_MODEL_DIR, MODEL, "onnx", "model_quantized.onnx"));
    expect(e.message).toContain(defaultModelDir());
    expect(e.message).toContain("set RAGLOOM_MODEL_DIR or pass localModelPath");
    expect(e.message).toContain(`${MODEL}/config.json`);
    expect(e.message).toContain("offline: false");

    delete process.env.RAGLOOM_MODEL_DIR;
    // a folder without the tokenizer files does not count either, and the message says which file
    const noTokenizer = modelFolder("no-tokenizer");
    rmSync(join(noTokenizer, MODEL, "tokenizer_config.json"));
    const e2 = (await createTransformersEmbedder({ localModelPath: noTokenizer, offline: true }).catch(
      (x: unknown) => x,
    )) as ModelNotFoundError;
    expect(e2).toBeInstanceOf(ModelNotFoundError);
    expect(e2.message).toContain(join(noTokenizer, MODEL, "tokenizer_config.json"));

    const unset = (await createTransformersEmbedder({ offline: true }).catch(
      (x: unknown) => x,
    )) as ModelNotFoundError;
    expect(unset).toBeInstanceOf(ModelNotFoundError);
    expect(unset.message).toContain("$RAGLOOM_MODEL_DIR (not set)");
  });

  it("not offline and the hub unreachable: ModelNotFoundError with the folders tried and the hub's error", async () => {
    const host = env.remoteHost;
    env.remoteHost = "http://127.0.0.1:9/"; // fault injection: a hub that refuses connections
    try {
      const err = (await createTransformersEmbedder({ cacheDir: emptyFolder("hub-cache") }).catch(
        (e: unknown) => e,
      )) as ModelNotFoundError;
      expect(err).toBeInstanceOf(ModelNotFoundError);
      expect(err.message).toContain("from the Hugging Face hub failed");
      expect(err.message).toContain(defaultModelDir());
      expect(err.message).toContain("set RAGLOOM_MODEL_DIR or pass localModelPath");
      expect(err.tried).toHaveLength(3);
    } finally {
      env.remoteHost = host;
    }
  });
});
