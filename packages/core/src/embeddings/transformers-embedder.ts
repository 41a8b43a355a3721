import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ServiceError, throwIfAborted, ValidationError } from "../errors/errors.js";
import type { CallOptions } from "../types/embedder.js";
import type { BatchQueryEmbedder } from "./micro-batching.js";
import { planModelLoad } from "./model-load-plan.js";
import { type ModelSource, onnxFileOf } from "./model-location.js";
import { createPool, runJobs } from "./session-pool.js";
import type { TransformersEmbedderOptions } from "./transformers-embedder-options.js";
import { withTransformersEnv } from "./transformers-env.js";

export type { TransformersEmbedderOptions } from "./transformers-embedder-options.js";

/**
 * A loaded transformers.js embedder; `device` is the execution provider actually in use.
 * `modelId` is `<model>:<dtype>` (e.g. `Xenova/all-MiniLM-L6-v2:q8`), with `@<modelFileName>` after
 * the dtype when the file is not `model` (`…:q8@model_fused`; the fp32 `model_fused` file gives
 * `model.onnx`'s vectors and keeps the plain id), followed
 * by `:` and 12 hex digits of SHA-256 of the vector options when `maxLength`, `normalize` or a
 * prefix is not the default; embedding caches key on it.
 */
export interface TransformersEmbedder extends BatchQueryEmbedder {
  readonly device: string;
  /**
   * Absolute folder the model was loaded from (the one holding `config.json`, i.e.
   * `<folder>/<model id>`); for a hub download, `<cacheDir>/<model id>` in transformers.js's cache.
   */
  readonly modelPath: string;
  /** Where the model was found: `localModelPath`, `RAGLOOM_MODEL_DIR`, `default` (`$RAGLOOM_CACHE/models`) or `hub`. */
  readonly modelSource: ModelSource;
  /** The ONNX file loaded, relative to {@link modelPath}, e.g. `onnx/model_fused_quantized.onnx`. */
  readonly modelFile: string;
  countTokens(text: string): number;
}

type TransformersModule = typeof import("@huggingface/transformers");
type SessionOptions = NonNullable<
  NonNullable<Parameters<TransformersModule["AutoModel"]["from_pretrained"]>[1]>["session_options"]
>;

/**
 * The `modelId` of a transformers embedder: `<model>:<dtype>` (int8 weights give other vectors
 * than fp32 ones), plus a digest of the options that change vectors when one differs from its
 * default (maxLength, normalize, prefixes), so that caches never mix their vectors.
 */
function embedderId(
  model: string,
  dtype: string,
  fileName: string,
  vectorOptions: { maxLength: number; normalize: boolean; queryPrefix: string; documentPrefix: string },
): string {
  const { maxLength, normalize, queryPrefix, documentPrefix } = vectorOptions;
  // the fused graph of the same float weights gives the same fp32 vectors, not the same int8 ones
  const sameVectors = fileName === "model" || (fileName === FUSED_FILE_NAME && !DYNAMIC_DTYPES.has(dtype));
  const weights = sameVectors ? dtype : `${dtype}@${fileName}`;
  const isDefault = maxLength === 256 && normalize && queryPrefix === "" && documentPrefix === "";
  if (isDefault) return `${model}:${weights}`;
  const digest = createHash("sha256").update(JSON.stringify(vectorOptions)).digest("hex").slice(0, 12);
  return `${model}:${weights}:${digest}`;
}

/** The file name {@link TransformersEmbedderOptions.modelFileName} defaults to when the local folder has it. */
const FUSED_FILE_NAME = "model_fused";

/**
 * Loads a sentence-embedding model with `@huggingface/transformers` (ONNX Runtime; onnxruntime-node
 * in Node) and returns a {@link TransformersEmbedder}: tokenises, truncates to `maxLength`, runs the model in
 * length-sorted batches, mean-pools the last hidden state over the attention mask and
 * L2-normalises (the sentence-transformers pipeline of Reimers & Gurevych, EMNLP 2019).
 *
 * The library is imported lazily, so importing `@ragloom/core` never loads it.
 * @returns vectors of `dimensions` floats (384 for all-MiniLM-L6-v2).
 * Model files are looked for in `localModelPath`, `$RAGLOOM_MODEL_DIR`, `$RAGLOOM_CACHE/models`
 * (default `~/.cache/ragloom/models`) and then the Hugging Face hub (see
 * {@link TransformersEmbedderOptions.localModelPath}).
 * @throws ModelNotFoundError (a ServiceError) when no local folder holds the model and `offline`
 *   is true or the hub download fails; its message names every folder tried and the fix.
 *   ServiceError when a found model cannot be loaded (corrupt files, rejected session options);
 *   ValidationError for bad options.
 */
/**
 * dtypes whose files transformers.js and the hub export with dynamic activation quantisation
 * (onnxruntime `quantize_dynamic`: one activation scale per tensor, i.e. per batch).
 */
const DYNAMIC_DTYPES: ReadonlySet<string> = new Set(["q8", "int8", "uint8"]);

export async function createTransformersEmbedder(
  options: TransformersEmbedderOptions = {},
): Promise<TransformersEmbedder> {
  const modelId = options.model ?? "Xenova/all-MiniLM-L6-v2";
  const dtype = options.dtype ?? "fp32";
  const batchSize = options.batchSize ?? (DYNAMIC_DTYPES.has(dtype) ? 1 : 32);
  const maxLength = options.maxLength ?? 256;
  const normalize = options.normalize ?? true;
  const warn = options.onWarning ?? ((m: string) => console.warn(`[ragloom] ${m}`));
  if (!(batchSize >= 1)) throw new ValidationError(`batchSize must be >= 1, got ${batchSize}`);
  if (!(maxLength >= 2)) throw new ValidationError(`maxLength must be >= 2, got ${maxLength}`);
  const threads = options.threads ?? 0;
  if (!(Number.isInteger(threads) && threads >= 0))
    throw new ValidationError(`threads must be an integer >= 0, got ${threads}`);
  const sessionCount = options.sessions ?? 1;
  if (!(Number.isInteger(sessionCount) && sessionCount >= 1))
    throw new ValidationError(`sessions must be an integer >= 1, got ${sessionCount}`);
  const sessionOptions = {
    ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: "sequential" } : {}),
    ...options.sessionOptions,
  } as SessionOptions;

  let hf: TransformersModule;
  try {
    hf = await import("@huggingface/transformers");
  } catch (cause) {
    throw new ServiceError("embedder", "install the optional peer dependency @huggingface/transformers", {
      retryable: false,
      cause,
    });
  }

  if (DYNAMIC_DTYPES.has(dtype) && batchSize > 1) {
    warn(
      `batchSize ${batchSize} with dtype ${dtype}: activations are quantised per batch, so a text's vector depends on the texts embedded with it (pass batchSize: 1 for vectors that do not)`,
    );
  }
  if (options.modelFileName !== undefined && !/^[\w.-]+$/.test(options.modelFileName))
    throw new ValidationError(
      `modelFileName must be a file name without a folder, got ${options.modelFileName}`,
    );
  const plan = planModelLoad(hf.env, "embedder", {
    model: modelId,
    dtype,
    localModelPath: options.localModelPath,
    offline: options.offline,
    cacheDir: options.cacheDir,
    fileName: options.modelFileName,
  });
  const fileName =
    options.modelFileName ??
    (plan.source !== "hub" && existsSync(join(plan.modelPath, onnxFileOf(dtype, FUSED_FILE_NAME)))
      ? FUSED_FILE_NAME
      : "model");
  const { target, patch, loadOptions } = plan;
  const loadFailure = plan.failure;

  let device = options.device ?? "cpu";
  type Model = Awaited<ReturnType<TransformersModule["AutoModel"]["from_pretrained"]>>;
  const loadModel = (onDevice: string): Promise<Model> =>
    hf.AutoModel.from_pretrained(target, {
      ...loadOptions,
      dtype,
      model_file_name: fileName,
      // biome-ignore lint/suspicious/noExplicitAny: device is a provider name string
      device: onDevice as any,
      session_options: sessionOptions,
    });
  const { tokenizer, models } = await withTransformersEnv(hf.env, patch, async () => {
    let tokenizer: Awaited<ReturnType<TransformersModule["AutoTokenizer"]["from_pretrained"]>>;
    try {
      tokenizer = await hf.AutoTokenizer.from_pretrained(target, loadOptions);
    } catch (cause) {
      throw loadFailure("the tokenizer", cause);
    }
    let model: Model;
    try {
      model = await loadModel(device);
    } catch (cause) {
      if (device === "cpu") throw loadFailure(`the ${dtype} weights`, cause);
      warn(
        `device "${device}" unavailable for ${modelId} (${(cause as Error).message}); falling back to cpu`,
      );
      device = "cpu";
      model = await loadModel("cpu").catch((e: unknown) => {
        throw loadFailure(`the ${dtype} weights`, e);
      });
    }
    const models = [model];
    while (models.length < sessionCount) models.push(await loadModel(device));
    return { tokenizer, models };
  });
  const model = models[0]!;
  const pool = createPool(models);
  const config = model.config as unknown as { hidden_size?: number; dim?: number };
  const dimensions = config.hidden_size ?? config.dim;
  if (!dimensions)
    throw new ServiceError("embedder", `cannot read hidden_size of ${modelId}`, { retryable: false });
  const padId = (tokenizer as unknown as { pad_token_id?: number }).pad_token_id ?? 0;

  const encode = (text: string): number[] => {
    const ids = tokenizer.encode(text) as number[];
    if (ids.length <= maxLength) return ids;
    // keep [CLS] … and put the final [SEP] back, as sentence-transformers truncation does
    return [...ids.slice(0, maxLength - 1), ids[ids.length - 1]!];
  };

  const runBatch = async (batch: number[][], session: typeof model): Promise<Float32Array[]> => {
    const rows = batch.length;
    const cols = Math.max(...batch.map((b) => b.length));
    const ids = new BigInt64Array(rows * cols).fill(BigInt(padId));
    const mask = new BigInt64Array(rows * cols);
    batch.forEach((seq, r) => {
      for (let c = 0; c < seq.length; c++) {
        ids[r * cols + c] = BigInt(seq[c]!);
        mask[r * cols + c] = 1n;
      }
    });
    const feeds: Record<string, InstanceType<TransformersModule["Tensor"]>> = {
      input_ids: new hf.Tensor("int64", ids, [rows, cols]),
      attention_mask: new hf.Tensor("int64", mask, [rows, cols]),
      token_type_ids: new hf.Tensor("int64", new BigInt64Array(rows * cols), [rows, cols]),
    };
    const output = (await session(feeds)) as Record<string, { data: Float32Array; dims: number[] }>;
    const hidden = output.last_hidden_state ?? output.token_embeddings;
    if (!hidden)
      throw new ServiceError("embedder", `${modelId} returned no last_hidden_state`, { retryable: false });
    const data = hidden.data;
    const d = dimensions;
    return batch.map((seq, r) => {
      const v = new Float32Array(d);
      for (let c = 0; c < seq.length; c++) {
        const off = (r * cols + c) * d;
        for (let i = 0; i < d; i++) v[i]! += data[off + i]!;
      }
      const inv = 1 / seq.length;
      let norm = 0;
      for (let i = 0; i < d; i++) {
        v[i]! *= inv;
        norm += v[i]! * v[i]!;
      }
      if (normalize && norm > 0) {
        const s = 1 / Math.sqrt(norm);
        for (let i = 0; i < d; i++) v[i]! *= s;
      }
      return v;
    });
  };

  const embed = async (texts: string[], callOptions?: CallOptions): Promise<Float32Array[]> => {
    const encoded = texts.map((t) => {
      if (typeof t !== "string") throw new ValidationError("texts must be strings");
      return encode(t);
    });
    // length-sorted batches waste less work on padding
    const order = encoded.map((_, i) => i).sort((a, b) => encoded[a]!.length - encoded[b]!.length);
    const out = new Array<Float32Array>(texts.length);
    const batches = Math.ceil(order.length / batchSize);
    const job = async (b: number, session: typeof model) => {
      const idx = order.slice(b * batchSize, (b + 1) * batchSize);
      const vectors = await runBatch(
        idx.map((j) => encoded[j]!),
        session,
      );
      idx.forEach((j, r) => {
        out[j] = vectors[r]!;
      });
    };
    const check = () => throwIfAborted(callOptions?.signal);
    // one session: used directly, as concurrent calls always did; several: one batch per session
    if (models.length === 1) await runJobs(batches, 1, (b) => job(b, model), check);
    else await runJobs(batches, models.length, (b) => pool.use((session) => job(b, session)), check);
    return out;
  };

  const queryPrefix = options.queryPrefix ?? "";
  const documentPrefix = options.documentPrefix ?? "";
  return {
    modelId: embedderId(modelId, dtype, fileName, { maxLength, normalize, queryPrefix, documentPrefix }),
    dimensions,
    normalized: normalize,
    modelPath: plan.modelPath,
    modelSource: plan.source,
    modelFile: onnxFileOf(dtype, fileName),
    get device() {
      return device;
    },
    embedDocuments: (texts, o) => embed(documentPrefix ? texts.map((t) => documentPrefix + t) : texts, o),
    embedQuery: async (text, o) => (await embed([queryPrefix + text], o))[0]!,
    embedQueries: (texts, o) => embed(queryPrefix ? texts.map((t) => queryPrefix + t) : texts, o),
    countTokens: (text) => (tokenizer.encode(text, { add_special_tokens: false }) as number[]).length,
    dispose: async () => {
      await Promise.all(models.map((m) => m.dispose()));
    },
  };
}
