import { join } from "node:path";
import { ServiceError } from "../errors/errors.js";
import {
  describeTried,
  findLocalModel,
  type ModelLocationTried,
  ModelNotFoundError,
  type ModelSource,
  modelFix,
} from "./model-location.js";
import type { TransformersEnvPatch } from "./transformers-env.js";

type TransformersEnv = typeof import("@huggingface/transformers")["env"];

/** How one transformers.js model (embedder or cross-encoder) is to be loaded. */
export interface ModelLoadPlan {
  /** Where the model was found (`hub` when in no local folder). */
  readonly source: ModelSource;
  /** Absolute model folder; for the hub, `<cacheDir>/<model id>`. */
  readonly modelPath: string;
  /** What to pass to `from_pretrained`: the absolute local folder, or the model id for the hub. */
  readonly target: string;
  /** `env` settings for the load's duration (see `withTransformersEnv`). */
  readonly patch: TransformersEnvPatch;
  /** `from_pretrained` options: local files only when a local folder holds the model. */
  readonly loadOptions: { local_files_only: boolean };
  /** The local folders looked at, in order. */
  readonly tried: readonly ModelLocationTried[];
  /** The error to throw when loading `what` (e.g. "the tokenizer") failed with `cause`. */
  failure(what: string, cause: unknown): ServiceError;
}

/**
 * Plans the load of `model` (`dtype` weights) for `service` (`embedder`, `reranker`): looks in
 * `localModelPath`, `$RAGLOOM_MODEL_DIR` and `$RAGLOOM_CACHE/models` (see `findLocalModel`), and
 * falls back to the Hugging Face hub unless `offline`.
 * @throws ModelNotFoundError when no local folder holds the model and `offline` is true.
 */
export function planModelLoad(
  env: TransformersEnv,
  service: string,
  options: {
    model: string;
    dtype: string;
    localModelPath?: string;
    offline?: boolean;
    cacheDir?: string;
    /** transformers.js's `model_file_name`: the ONNX file's base name. @default "model" */
    fileName?: string;
  },
): ModelLoadPlan {
  const { model, dtype } = options;
  const fileName = options.fileName ?? "model";
  const { found, tried } = findLocalModel(model, dtype, options.localModelPath, fileName);
  if (!found && options.offline === true) {
    throw new ModelNotFoundError(
      service,
      `${model} (${dtype}) is in no local model folder and offline is true; looked in ${describeTried(tried)}. ` +
        `Fix: ${modelFix(model, dtype, true, fileName)}`,
      { model, dtype, tried },
    );
  }
  const source: ModelSource = found?.source ?? "hub";
  const cacheDir = options.cacheDir ?? env.cacheDir ?? "";
  const modelPath = found ? found.modelPath : join(cacheDir, model);
  const where = found ? `${modelPath} (${source})` : "the Hugging Face hub";
  return {
    source,
    modelPath,
    tried,
    // A local model is loaded by its absolute folder, which transformers.js reads without looking
    // at env.localModelPath; only a hub download depends on the process-wide env, set for the load.
    target: found ? found.modelPath : model,
    patch: found
      ? { allowLocalModels: true }
      : { allowLocalModels: true, allowRemoteModels: true, ...(options.cacheDir ? { cacheDir } : {}) },
    loadOptions: { local_files_only: found !== undefined },
    failure(what, cause) {
      const message = (cause as Error).message;
      if (found) {
        return new ServiceError(service, `cannot load ${what} of ${model} from ${where}: ${message}`, {
          retryable: false,
          cause,
        });
      }
      return new ModelNotFoundError(
        service,
        `${model} (${dtype}) is in no local model folder (looked in ${describeTried(tried)}) and loading ${what} ` +
          `from the Hugging Face hub failed: ${message}. Fix: ${modelFix(model, dtype, false, fileName)}`,
        { model, dtype, tried, cause },
      );
    },
  };
}
