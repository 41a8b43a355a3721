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
   * names the dtype, and the file when it is not the dtype's default one (see `modelFileName`), so
   * caches keep vectors of different dtypes and files apart; two different files of one dtype and
   * one name (a folder whose `model_quantized.onnx` was replaced) share it. @default "fp32"
   */
  dtype?: "fp32" | "fp16" | "q8" | "int8" | "uint8" | "q4";
  /**
   * Base name of the ONNX file in the model folder's `onnx/`, before the dtype suffix
   * (transformers.js's `model_file_name`): `onnx/<modelFileName><suffix>.onnx`.
   *
   * By default, `model_fused` when the local folder holding the model also holds that file for
   * `dtype` (`onnx/model_fused.onnx` for `fp32`, `onnx/model_fused_quantized.onnx` for `q8`), else
   * `model`. The model folder `scripts/prepare-models.sh` builds has both: the same network with
   * each layer's self-attention (projections, head reshapes, scaled dot product, mask, softmax) as
   * one node of onnxruntime's `Attention` contrib operator (`QAttention` once quantised), which
   * cuts the ~670 nodes of a torch export to ~130. Measured with `bench/embedding.ts` at one thread
   * on an AVX-512 CPU (bench/results/embedding.json, section `dtype`): a `q8` query takes 0.88× the
   * CPU time of `model_quantized.onnx`, an `fp32` query 0.95× that of `model.onnx`, and `fp32`
   * batches of 32 SciFact abstracts run 1.3× as many documents per second. `fp32` vectors equal
   * `model.onnx`'s (cosine > 0.99999), so `modelId` does not change; `q8` vectors are close to
   * (cosine ≈ 0.997), not the same as, the unfused file's, so `modelId` names the file
   * (`…:q8@model_fused`). A hub download uses `model`.
   * {@link TransformersEmbedder.modelFile} is the file loaded.
   * @default "model_fused" when present locally, else "model"
   */
  modelFileName?: string;
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
