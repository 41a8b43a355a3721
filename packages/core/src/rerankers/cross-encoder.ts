import { planModelLoad } from "../embeddings/model-load-plan.js";
import { withTransformersEnv } from "../embeddings/transformers-env.js";
import { ServiceError, throwIfAborted, ValidationError } from "../errors/errors.js";
import type { CallOptions } from "../types/embedder.js";
import type { Reranker } from "../types/retriever.js";
import { createScoreReranker } from "./score-reranker.js";

/** Options of {@link createCrossEncoderReranker}. */
export interface CrossEncoderRerankerOptions {
  /**
   * Model id of a cross-encoder with one output logit (sentence-transformers `CrossEncoder`
   * layout, ONNX in transformers.js layout: `config.json`, `tokenizer.json`, `onnx/model.onnx`).
   * @default "Xenova/ms-marco-MiniLM-L-6-v2"
   */
  model?: string;
  /**
   * Folder holding `<model id>/config.json`, `tokenizer.json`, `tokenizer_config.json` and the ONNX
   * file of `dtype`. Looked for in this order: this option, `$RAGLOOM_MODEL_DIR`,
   * `$RAGLOOM_CACHE/models` (default `~/.cache/ragloom/models`), then the Hugging Face hub unless
   * `offline`; the folder is this reranker's own (transformers.js's process-wide `env` is not
   * changed). @default undefined (start with `$RAGLOOM_MODEL_DIR`)
   */
  localModelPath?: string;
  /** Never contact the Hugging Face hub: fail with `ModelNotFoundError` when no local folder holds the model. @default false */
  offline?: boolean;
  /** Download cache for hub models (transformers.js `env.cacheDir`, set for this load only). @default transformers.js's */
  cacheDir?: string;
  /** Weights: `fp32` (`onnx/model.onnx`) or `q8` (`onnx/model_quantized.onnx`). @default "fp32" */
  dtype?: "fp32" | "fp16" | "q8" | "int8" | "uint8" | "q4";
  /** onnxruntime execution provider; falls back to `cpu` (with a warning) when it cannot load. @default "cpu" */
  device?: string;
  /** (query, document) pairs per forward pass. @default 16 */
  batchSize?: number;
  /**
   * Word pieces per pair, special tokens included; longer pairs are cut with the `longest_first`
   * strategy of Hugging Face tokenizers (tokens come off the longer of query and document).
   * @default 512 (BERT's position limit, as sentence-transformers uses for ms-marco cross-encoders)
   */
  maxLength?: number;
  /**
   * Maps the logit to the score: `sigmoid` gives a relevance probability in (0, 1), as
   * sentence-transformers `CrossEncoder` does for one-label models; `none` keeps the raw logit.
   * @default "sigmoid"
   */
  activation?: "sigmoid" | "none";
  /** Drop documents whose score (after `activation`) is below this. @default undefined (keep all) */
  threshold?: number;
  /** Called with a message when the reranker changes behaviour on its own (device fallback). @default console.warn */
  onWarning?: (message: string) => void;
}

/** A loaded cross-encoder: a {@link Reranker} plus direct pair scoring. */
export interface CrossEncoderReranker extends Reranker {
  readonly modelId: string;
  /** Execution provider in use. */
  readonly device: string;
  /** Scores of `texts` against `query` (after `activation`), in input order, batched. */
  score(query: string, texts: string[], options?: CallOptions): Promise<number[]>;
  /** Releases the ONNX session. */
  dispose(): Promise<void>;
}

type TransformersModule = typeof import("@huggingface/transformers");

interface PairEncoding {
  ids: number[];
  types: number[];
}

/**
 * Lengths `[a, b]` that two sequences are cut to so that `a + b <= budget`, by the `longest_first`
 * strategy of Hugging Face tokenizers: one token at a time comes off the longer sequence (off the
 * second on a tie).
 */
export function longestFirst(aLength: number, bLength: number, budget: number): [number, number] {
  if (aLength + bLength <= budget) return [aLength, bLength];
  const half = Math.floor(budget / 2);
  if (aLength <= half) return [aLength, budget - aLength];
  if (bLength <= budget - Math.ceil(budget / 2)) return [budget - bLength, bLength];
  return [Math.ceil(budget / 2), half];
}

/** Index of `needle` in `hay` at or after `from`, or -1. */
function indexOfRun(hay: number[], needle: number[], from: number): number {
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Loads a cross-encoder with `@huggingface/transformers` and returns a {@link Reranker} that
 * scores each (query, document) pair jointly: the pair is encoded as the model's tokenizer
 * templates it (`[CLS] query [SEP] document [SEP]` for BERT models), cut to `maxLength` word pieces
 * (`longest_first`), run through the sequence-classification head in batches of `batchSize`, and
 * the single logit is mapped by `activation` (Nogueira & Cho, "Passage Re-ranking with BERT", 2019;
 * sentence-transformers `CrossEncoder`). Documents below `threshold` are dropped; `rerank` returns at
 * most `k`, best first. Give it to `createRetriever({ reranker, rerankDepth })` to rerank the top
 * `rerankDepth` candidates.
 *
 * The library is imported lazily, so importing `@ragloom/core` never loads it.
 * @throws ModelNotFoundError (a ServiceError) when no local folder holds the model and `offline`
 *   is true or the hub download fails, naming every folder tried; ServiceError when a found model
 *   cannot be loaded or is not a one-logit classifier; ValidationError for bad options.
 */
export async function createCrossEncoderReranker(
  options: CrossEncoderRerankerOptions = {},
): Promise<CrossEncoderReranker> {
  const modelId = options.model ?? "Xenova/ms-marco-MiniLM-L-6-v2";
  const batchSize = options.batchSize ?? 16;
  const maxLength = options.maxLength ?? 512;
  const activation = options.activation ?? "sigmoid";
  const warn = options.onWarning ?? ((m: string) => console.warn(`[ragloom] ${m}`));
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ValidationError(`batchSize must be an integer >= 1, got ${batchSize}`);
  }
  if (!Number.isInteger(maxLength) || maxLength < 8) {
    throw new ValidationError(`maxLength must be an integer >= 8, got ${maxLength}`);
  }
  if (activation !== "sigmoid" && activation !== "none") {
    throw new ValidationError(`activation must be "sigmoid" or "none", got ${String(activation)}`);
  }
  if (options.threshold !== undefined && !Number.isFinite(options.threshold)) {
    throw new ValidationError(`threshold must be a finite number, got ${options.threshold}`);
  }

  let hf: TransformersModule;
  try {
    hf = await import("@huggingface/transformers");
  } catch (cause) {
    throw new ServiceError("reranker", "install the optional peer dependency @huggingface/transformers", {
      retryable: false,
      cause,
    });
  }
  const dtype = options.dtype ?? "fp32";
  const plan = planModelLoad(hf.env, "reranker", {
    model: modelId,
    dtype,
    localModelPath: options.localModelPath,
    offline: options.offline,
    cacheDir: options.cacheDir,
  });
  let device = options.device ?? "cpu";
  type Model = Awaited<
    ReturnType<TransformersModule["AutoModelForSequenceClassification"]["from_pretrained"]>
  >;
  const load = (dev: string): Promise<Model> =>
    hf.AutoModelForSequenceClassification.from_pretrained(plan.target, {
      ...plan.loadOptions,
      dtype,
      // biome-ignore lint/suspicious/noExplicitAny: device is a provider name string
      device: dev as any,
    });
  const { tokenizer, model } = await withTransformersEnv(hf.env, plan.patch, async () => {
    let tokenizer: Awaited<ReturnType<TransformersModule["AutoTokenizer"]["from_pretrained"]>>;
    try {
      tokenizer = await hf.AutoTokenizer.from_pretrained(plan.target, plan.loadOptions);
    } catch (cause) {
      throw plan.failure("the tokenizer", cause);
    }
    let model: Model;
    try {
      model = await load(device);
    } catch (cause) {
      if (device === "cpu") throw plan.failure(`the ${dtype} weights`, cause);
      warn(
        `device "${device}" unavailable for ${modelId} (${(cause as Error).message}); falling back to cpu`,
      );
      device = "cpu";
      model = await load("cpu").catch((e: unknown) => {
        throw plan.failure(`the ${dtype} weights`, e);
      });
    }
    return { tokenizer, model };
  });
  const labels = (model.config as unknown as { num_labels?: number; id2label?: object }).num_labels;
  if (labels !== undefined && labels !== 1) {
    throw new ServiceError(
      "reranker",
      `${modelId} has ${labels} output labels; a cross-encoder reranker needs 1`,
      {
        retryable: false,
      },
    );
  }
  const raw = (
    tokenizer as unknown as {
      _tokenizer: {
        encode(
          text: string,
          o: { text_pair?: string | null; add_special_tokens?: boolean; return_token_type_ids?: boolean },
        ): { ids: number[]; token_type_ids?: number[] };
      };
    }
  )._tokenizer;
  const padId = (tokenizer as unknown as { pad_token_id?: number }).pad_token_id ?? 0;

  /** The templated pair, cut to `maxLength` by longest_first with its special tokens kept. */
  const encodePair = (query: string, text: string): PairEncoding => {
    const full = raw.encode(query, {
      text_pair: text,
      add_special_tokens: true,
      return_token_type_ids: true,
    });
    const types = full.token_type_ids ?? new Array<number>(full.ids.length).fill(0);
    if (full.ids.length <= maxLength) return { ids: full.ids, types };
    const a = raw.encode(query, { add_special_tokens: false }).ids;
    const b = raw.encode(text, { add_special_tokens: false }).ids;
    const at = indexOfRun(full.ids, a, 0);
    const bt = at < 0 ? -1 : indexOfRun(full.ids, b, at + a.length);
    if (at < 0 || bt < 0) {
      // Unknown template: cut the end and put the final special token back.
      const ids = [...full.ids.slice(0, maxLength - 1), full.ids.at(-1)!];
      return { ids, types: [...types.slice(0, maxLength - 1), types.at(-1)!] };
    }
    const specials = full.ids.length - a.length - b.length;
    const [na, nb] = longestFirst(a.length, b.length, maxLength - specials);
    const pick = <T>(xs: T[]) => [
      ...xs.slice(0, at + na),
      ...xs.slice(at + a.length, bt + nb),
      ...xs.slice(bt + b.length),
    ];
    return { ids: pick(full.ids), types: pick(types) };
  };

  const scoreBatch = async (pairs: PairEncoding[]): Promise<number[]> => {
    const rows = pairs.length;
    const cols = Math.max(...pairs.map((p) => p.ids.length));
    const ids = new BigInt64Array(rows * cols).fill(BigInt(padId));
    const mask = new BigInt64Array(rows * cols);
    const typeIds = new BigInt64Array(rows * cols);
    pairs.forEach((p, r) => {
      for (let c = 0; c < p.ids.length; c++) {
        ids[r * cols + c] = BigInt(p.ids[c]!);
        mask[r * cols + c] = 1n;
        typeIds[r * cols + c] = BigInt(p.types[c]!);
      }
    });
    const output = (await model({
      input_ids: new hf.Tensor("int64", ids, [rows, cols]),
      attention_mask: new hf.Tensor("int64", mask, [rows, cols]),
      token_type_ids: new hf.Tensor("int64", typeIds, [rows, cols]),
    })) as Record<string, { data: Float32Array; dims: number[] }>;
    const logits = output.logits;
    if (!logits || logits.data.length !== rows) {
      throw new ServiceError("reranker", `${modelId} returned no [batch, 1] logits`, { retryable: false });
    }
    return Array.from(logits.data, (x) => (activation === "sigmoid" ? 1 / (1 + Math.exp(-x)) : x));
  };

  const score = async (query: string, texts: string[], callOptions: CallOptions = {}): Promise<number[]> => {
    if (typeof query !== "string" || query.trim() === "") {
      throw new ValidationError("query must be a non-empty string");
    }
    const out: number[] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      throwIfAborted(callOptions.signal);
      const batch = texts.slice(i, i + batchSize).map((t) => {
        if (typeof t !== "string") throw new ValidationError("texts must be strings");
        return encodePair(query, t);
      });
      out.push(...(await scoreBatch(batch)));
    }
    throwIfAborted(callOptions.signal);
    return out;
  };

  const reranker = createScoreReranker(score, { threshold: options.threshold, batchSize });
  return {
    modelId,
    get device() {
      return device;
    },
    score,
    rerank: reranker.rerank,
    async dispose() {
      await (model as unknown as { dispose?: () => Promise<unknown> }).dispose?.();
    },
  };
}
