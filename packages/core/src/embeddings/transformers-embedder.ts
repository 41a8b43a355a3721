import { createHash } from "node:crypto";
import { ServiceError, throwIfAborted, ValidationError } from "../errors/errors.js";
import type { CallOptions } from "../types/embedder.js";
import type { BatchQueryEmbedder } from "./micro-batching.js";
import { planModelLoad } from "./model-load-plan.js";
import type { ModelSource } from "./model-location.js";
import { createPool, runJobs } from "./session-pool.js";
import { withTransformersEnv } from "./transformers-env.js";

/** Options of {@link createTransformersEmbedder}. */
export interface TransformersEmbedderOptions {
  /** Hugging Face model id (a sentence-transformers model in ONNX, transformers.js layout). @default "Xenova/all-MiniLM-L6-v2" */
  model?: string;
  /**
   * Folder holding `<model id>/config.json`, `tokenizer.json` and `onnx/model.onnx` (the
   * transformers.js layout; `onnx/model_quantized.onnx` for `q8`). The model is looked for in this
   * order, and the first folder whose `<model id>/` holds `config.json`, `tokenizer.json`,
   * `tokenizer_config.json` and the ONNX file of `dtype` is used: this option, then `$RAGLOOM_MODEL_DIR`, then `$RAGLOOM_CACHE/models` (default
   * `~/.cache/ragloom/models`), then the Hugging Face hub unless `offline`. The folder is
   * this embedder's own: it does not change transformers.js's process-wide `env.localModelPath`,
   * so embedders with different folders can be created side by side. The one used is
   * {@link TransformersEmbedder.modelPath}. @default undefined (start with `$RAGLOOM_MODEL_DIR`)
   */
  localModelPath?: string;
  /**
   * Never contact the Hugging Face hub: when no local folder holds the model, fail with
   * {@link ModelNotFoundError}. When false, a model found in no local folder is downloaded from
   * the hub into `cacheDir`. @default false
   */
  offline?: boolean;
  /**
   * Download cache for hub models (transformers.js `env.cacheDir`, set for this embedder's load
   * only). @default transformers.js's (`.cache` inside its installed package)
   */
  cacheDir?: string;
  /**
   * Weights: the ONNX file loaded from the model folder, named as transformers.js names each
   * dtype's file (`onnx/model<suffix>.onnx`): `fp32` `model.onnx`, `q8` `model_quantized.onnx`,
   * `int8` `model_int8.onnx`, `uint8` `model_uint8.onnx`, `fp16` `model_fp16.onnx`, `q4`
   * `model_q4.onnx`. The vectors are 384 floats whatever the dtype.
   *
   * The local model folder `scripts/prepare-models.sh` builds holds `fp32` and three dynamically
   * quantised files written by onnxruntime's `quantize_dynamic` from `model.onnx`, the way the
   * Hugging Face hub's Xenova exports are made: every MatMul with a constant weight runs as
   * `DynamicQuantizeLinear` (activations to uint8 at run time) + `MatMulInteger` (int8 products,
   * int32 sums), and the embedding tables are stored as int8 (23 MB per file instead of 90 MB).
   * `q8` and `int8` are the same file (signed per-channel 7-bit weights, the setting that avoids
   * the int16 saturation of onnxruntime's u8×s8 kernel on x86 CPUs without VNNI); `uint8` has
   * unsigned 8-bit weights (u8×u8 kernel). Measured with `bench/embedding.ts` at one thread on an
   * AVX2 CPU (bench/results/embedding.json, sections `dtype` and `retrieval`): a query takes about
   * 0.6× the CPU time of `fp32` with `q8`/`int8`, 0.63× with `uint8`; vectors keep cosine ≥ 0.98
   * to `fp32` (0.99 typical); SciFact nDCG@10 changes by less than 0.005.
   *
   * A weight-only int8 file (int8 initialisers followed by `Cast` + `Mul`, which some exports ship
   * as `model_quantized.onnx`) is dequantised to fp32 by onnxruntime's constant folding when the
   * session is created: `fp32` speed, only a smaller download. {@link TransformersEmbedder.modelId}
   * names the dtype, never the file, so caches keep vectors of different dtypes apart but not of two
   * different files of one dtype. @default "fp32"
   */
  dtype?: "fp32" | "fp16" | "q8" | "int8" | "uint8" | "q4";
  /**
   * onnxruntime intra-op threads per forward pass (`intraOpNumThreads`; inter-op threads are 1,
   * execution is sequential). `0` lets onnxruntime choose (one per physical core, with spinning
   * worker threads). Several embedders, or other CPU-bound work in the process or on the machine,
   * oversubscribe the cores when each uses all of them; pass 1 there. Measured with
   * `bench/embedding.ts` on 2 cores shared with other CPU-bound processes: 1 thread embedded
   * SciFact abstracts 1.36x faster than the default (batch 32, length-sorted) and answered queries
   * at a lower median latency; when the cores were free, the default answered a query fastest
   * (best case 4.0 ms vs 5.2 ms wall-clock for 1 thread). @default 0
   */
  threads?: number;
  /**
   * Extra onnxruntime `InferenceSession` options, passed to transformers.js as `session_options`
   * and merged over the ones derived from `threads` (e.g. `{ graphOptimizationLevel: "all" }`, or
   * `{ extra: { session: { intra_op: { allow_spinning: "0" } } } }` to stop worker threads from
   * spinning between passes). @default {}
   */
  sessionOptions?: Record<string, unknown>;
  /**
   * onnxruntime sessions of the model (each holds its own copy of the weights: ~90 MB fp32 for
   * all-MiniLM-L6-v2). With more than one, `embedDocuments` runs that many batches at the same
   * time, one per session, and concurrent calls share the sessions; combine with `threads` so that
   * `sessions × threads` does not exceed the cores. @default 1
   */
  sessions?: number;
  /**
   * onnxruntime execution provider, e.g. `cpu`, `cuda`, `dml`, `webgpu`. If loading on it fails,
   * the embedder falls back to `cpu` and reports it through `onWarning`. @default "cpu"
   */
  device?: string;
  /**
   * Texts per forward pass. The dynamically quantised dtypes (`q8`, `int8`, `uint8`) quantise the
   * activations with one scale per tensor, computed over the whole batch (`DynamicQuantizeLinear`),
   * so a text's vector would depend on the other texts of its batch and on their padding; for them
   * the default is 1 (every text alone: the same vector whatever it is embedded with, as caches and
   * re-ingestion need), and a larger value is honoured with a warning through `onWarning`.
   * @default 32 for `fp32` / `fp16` / `q4`, 1 for `q8` / `int8` / `uint8`
   */
  batchSize?: number;
  /**
   * Word pieces per text, including [CLS] and [SEP]; longer texts are truncated and the final
   * [SEP] is kept, as sentence-transformers does. @default 256 (all-MiniLM-L6-v2's `max_seq_length`)
   */
  maxLength?: number;
  /** L2-normalise embeddings (cosine = dot product). @default true */
  normalize?: boolean;
  /** Prefix for queries (e.g. `"query: "` for E5). @default "" */
  queryPrefix?: string;
  /** Prefix for documents (e.g. `"passage: "` for E5). @default "" */
  documentPrefix?: string;
  /** Called with a message when the embedder changes behaviour on its own (device fallback). @default console.warn */
  onWarning?: (message: string) => void;
}

/**
 * A loaded transformers.js embedder; `device` is the execution provider actually in use.
 * `modelId` is `<model>:<dtype>` (e.g. `Xenova/all-MiniLM-L6-v2:q8`), followed by `:` and 12 hex
 * digits of SHA-256 of the vector options when `maxLength`, `normalize` or a prefix is not the
 * default; embedding caches key on it.
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
  vectorOptions: { maxLength: number; normalize: boolean; queryPrefix: string; documentPrefix: string },
): string {
  const { maxLength, normalize, queryPrefix, documentPrefix } = vectorOptions;
  const isDefault = maxLength === 256 && normalize && queryPrefix === "" && documentPrefix === "";
  if (isDefault) return `${model}:${dtype}`;
  const digest = createHash("sha256").update(JSON.stringify(vectorOptions)).digest("hex").slice(0, 12);
  return `${model}:${dtype}:${digest}`;
}

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
  const plan = planModelLoad(hf.env, "embedder", {
    model: modelId,
    dtype,
    localModelPath: options.localModelPath,
    offline: options.offline,
    cacheDir: options.cacheDir,
  });
  const { target, patch, loadOptions } = plan;
  const loadFailure = plan.failure;

  let device = options.device ?? "cpu";
  type Model = Awaited<ReturnType<TransformersModule["AutoModel"]["from_pretrained"]>>;
  const loadModel = (onDevice: string): Promise<Model> =>
    hf.AutoModel.from_pretrained(target, {
      ...loadOptions,
      dtype,
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
    modelId: embedderId(modelId, dtype, { maxLength, normalize, queryPrefix, documentPrefix }),
    dimensions,
    normalized: normalize,
    modelPath: plan.modelPath,
    modelSource: plan.source,
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
