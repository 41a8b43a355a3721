import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ServiceError } from "../errors/errors.js";

/**
 * Where a transformers.js model was found, in the order they are tried:
 * - `localModelPath`: the folder passed as the `localModelPath` option;
 * - `RAGLOOM_MODEL_DIR`: the folder named by that environment variable;
 * - `default`: `$RAGLOOM_CACHE/models` (default `~/.cache/ragloom/models`), the folder ragloom's
 *   model preparation script fills;
 * - `hub`: downloaded from the Hugging Face hub (or read from transformers.js's download cache).
 */
export type ModelSource = "localModelPath" | "RAGLOOM_MODEL_DIR" | "default" | "hub";

/** One local folder looked at, and why it did not hold the model (`missing` unset when it did). */
export interface ModelLocationTried {
  readonly source: Exclude<ModelSource, "hub">;
  /** Absolute folder expected to hold `<model id>/config.json`; unset when the variable is unset. */
  readonly folder?: string;
  /** The first required file that is missing (absolute path), or `not passed` / `not set` when there was no folder. */
  readonly missing?: string;
}

/**
 * A model is in none of the local folders and may not (`offline: true`) or could not be downloaded
 * from the Hugging Face hub. A {@link ServiceError} (`code` `ERR_SERVICE`, not retryable) whose
 * message names every folder tried and how to fix it; `tried` lists them.
 */
export class ModelNotFoundError extends ServiceError {
  /** The Hugging Face model id, e.g. `Xenova/all-MiniLM-L6-v2`. */
  readonly model: string;
  /** The weights asked for (`fp32`, `q8`, …). */
  readonly dtype: string;
  /** The local folders looked at, in order. */
  readonly tried: readonly ModelLocationTried[];
  constructor(
    service: string,
    message: string,
    details: { model: string; dtype: string; tried: readonly ModelLocationTried[]; cause?: unknown },
  ) {
    super(service, message, { retryable: false, cause: details.cause });
    this.name = "ModelNotFoundError";
    this.model = details.model;
    this.dtype = details.dtype;
    this.tried = details.tried;
  }
}

/** A found model: `modelPath` is the absolute folder holding `config.json` (for the hub, in the download cache). */
export interface ModelLocation {
  readonly source: ModelSource;
  readonly modelPath: string;
  readonly tried: readonly ModelLocationTried[];
}

/** transformers.js's file-name suffix of each dtype (`onnx/model<suffix>.onnx`). */
const DTYPE_SUFFIX: Record<string, string> = {
  fp32: "",
  fp16: "_fp16",
  int8: "_int8",
  uint8: "_uint8",
  q8: "_quantized",
  q4: "_q4",
};

/**
 * The ONNX file transformers.js loads for `dtype`, relative to the model folder:
 * `onnx/<fileName><dtype suffix>.onnx`, e.g. `onnx/model_quantized.onnx` (`fileName` is
 * transformers.js's `model_file_name`, default `model`).
 */
export function onnxFileOf(dtype: string, fileName = "model"): string {
  return `onnx/${fileName}${DTYPE_SUFFIX[dtype] ?? `_${dtype}`}.onnx`;
}

/**
 * The files a model folder must hold for `dtype`, relative to `<folder>/<model id>`: `config.json`,
 * `tokenizer.json`, `tokenizer_config.json` and {@link onnxFileOf} `dtype` and `fileName`.
 */
export function requiredFiles(dtype: string, fileName = "model"): string[] {
  return ["config.json", "tokenizer.json", "tokenizer_config.json", onnxFileOf(dtype, fileName)];
}

/**
 * The default local model folder: `$RAGLOOM_CACHE/models`, or `~/.cache/ragloom/models` when
 * `RAGLOOM_CACHE` is unset (the folder ragloom's `scripts/prepare-models.sh` fills).
 */
export function defaultModelDir(): string {
  const cache = process.env.RAGLOOM_CACHE || join(homedir(), ".cache", "ragloom");
  return resolve(cache, "models");
}

/**
 * Looks for `<folder>/<model>/` holding the {@link requiredFiles} of `dtype` (and `fileName`) in `localModelPath`,
 * then `$RAGLOOM_MODEL_DIR`, then {@link defaultModelDir}; the first folder holding all of them
 * wins. `found` is unset when none does; `tried` lists the folders looked at.
 */
export function findLocalModel(
  model: string,
  dtype: string,
  localModelPath: string | undefined,
  fileName = "model",
): { found?: ModelLocation; tried: ModelLocationTried[] } {
  const fromEnv = process.env.RAGLOOM_MODEL_DIR;
  const candidates: Array<{ source: ModelLocationTried["source"]; folder?: string; unset: string }> = [
    { source: "localModelPath", folder: localModelPath || undefined, unset: "not passed" },
    { source: "RAGLOOM_MODEL_DIR", folder: fromEnv || undefined, unset: "not set" },
    { source: "default", folder: defaultModelDir(), unset: "" },
  ];
  const tried: ModelLocationTried[] = [];
  for (const c of candidates) {
    if (c.folder === undefined) {
      tried.push({ source: c.source, missing: c.unset });
      continue;
    }
    const folder = resolve(c.folder);
    const modelPath = join(folder, model);
    const missing = requiredFiles(dtype, fileName)
      .map((f) => join(modelPath, f))
      .find((f) => !existsSync(f));
    tried.push({ source: c.source, folder, missing });
    if (missing === undefined) return { found: { source: c.source, modelPath, tried }, tried };
  }
  return { tried };
}

/** "localModelPath /a (no /a/X/config.json); $RAGLOOM_MODEL_DIR (not set); …" */
export function describeTried(tried: readonly ModelLocationTried[]): string {
  return tried
    .map((t) => {
      const label =
        t.source === "localModelPath"
          ? "localModelPath"
          : t.source === "RAGLOOM_MODEL_DIR"
            ? "$RAGLOOM_MODEL_DIR"
            : "the default folder ($RAGLOOM_CACHE/models)";
      if (t.folder === undefined) return `${label} (${t.missing})`;
      return `${label} ${t.folder} (${t.missing ? `no ${t.missing}` : "found"})`;
    })
    .join("; ");
}

/** The fix named by every {@link ModelNotFoundError}. */
export function modelFix(model: string, dtype: string, offline: boolean, fileName = "model"): string {
  const files = requiredFiles(dtype, fileName);
  const layout = `a folder holding ${model}/${files[0]} (with ${files.slice(1).join(", ")} beside it: the transformers.js layout)`;
  return offline
    ? `set RAGLOOM_MODEL_DIR or pass localModelPath: ${layout}; or pass offline: false to download it from the Hugging Face hub`
    : `set RAGLOOM_MODEL_DIR or pass localModelPath: ${layout}`;
}
