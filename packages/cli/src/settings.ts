import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { ValidationError } from "@ragloom/core";
import { z } from "zod";

/** Where and how an index lives; every key can be set in `ragloom.config.{json,ts}` or by a flag. */
export interface Settings {
  /** Folder of the index. @default ".ragloom" */
  dir: string;
  /** @default "memory" */
  store: "memory" | "chroma";
  /** @default "http://localhost:8000" */
  chromaUrl: string;
  /** Collection name (3–63 characters: letters, digits, `.`, `_`, `-`). @default "default" */
  collection: string;
  /** Embedding model id. @default "Xenova/all-MiniLM-L6-v2" */
  model: string;
  /** Folder of local models. @default $RAGLOOM_MODEL_DIR, else ~/.cache/ragloom/models */
  modelDir: string;
  /** Model weights. @default "fp32" */
  dtype: "fp32" | "q8";
  /** Globs of files to index. @default the loaders' defaults */
  include?: string[];
  /** Globs to leave out. @default [] */
  exclude: string[];
  /** Bytes. @default 10 MiB */
  maxFileSize: number;
  /** @default true */
  gitignore: boolean;
  /** Chunk size in model tokens. @default 200 */
  chunkSize: number;
  /** @default 20 */
  chunkOverlap: number;
  /** Results of `query`. @default 5 */
  k: number;
  /** @default "hybrid" */
  mode: "dense" | "lexical" | "hybrid";
  /** OpenAI-compatible chat API of `answer` (llama.cpp, Ollama, vLLM, OpenAI). @default $RAGLOOM_LLM_URL, else "http://localhost:8080/v1" */
  llmUrl: string;
  /** Model name sent to it. @default $RAGLOOM_LLM_MODEL, else "default" */
  llmModel: string;
}

const COLLECTION = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,61}[a-zA-Z0-9]$/;

/** Schema of a config file: every {@link Settings} key, all optional, nothing else. */
export const configSchema = z
  .object({
    dir: z.string().min(1),
    store: z.enum(["memory", "chroma"]),
    chromaUrl: z.url(),
    collection: z
      .string()
      .regex(COLLECTION, "3-63 letters, digits, '.', '_' or '-', starting and ending with a letter or digit"),
    model: z.string().min(1),
    modelDir: z.string().min(1),
    dtype: z.enum(["fp32", "q8"]),
    include: z.array(z.string().min(1)).min(1),
    exclude: z.array(z.string().min(1)),
    maxFileSize: z.number().int().positive(),
    gitignore: z.boolean(),
    chunkSize: z.number().int().min(16).max(4096),
    chunkOverlap: z.number().int().min(0),
    k: z.number().int().min(1).max(1000),
    mode: z.enum(["dense", "lexical", "hybrid"]),
    llmUrl: z.url(),
    llmModel: z.string().min(1),
  })
  .partial()
  .strict();

/** A partial {@link Settings}, as read from a config file or flags. */
export type PartialSettings = z.infer<typeof configSchema>;

export function defaultModelDir(): string {
  return (
    process.env.RAGLOOM_MODEL_DIR ??
    join(process.env.RAGLOOM_CACHE ?? join(homedir(), ".cache", "ragloom"), "models")
  );
}

/** Defaults, then the config file, then flags. @throws ValidationError for a bad value. */
export function resolveSettings(...layers: Array<PartialSettings | undefined>): Settings {
  const merged: Settings = {
    dir: ".ragloom",
    store: "memory",
    chromaUrl: "http://localhost:8000",
    collection: "default",
    model: "Xenova/all-MiniLM-L6-v2",
    modelDir: defaultModelDir(),
    dtype: "fp32",
    exclude: [],
    maxFileSize: 10 * 1024 * 1024,
    gitignore: true,
    chunkSize: 200,
    chunkOverlap: 20,
    k: 5,
    mode: "hybrid",
    llmUrl: process.env.RAGLOOM_LLM_URL ?? "http://localhost:8080/v1",
    llmModel: process.env.RAGLOOM_LLM_MODEL ?? "default",
  };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {}))
      if (value !== undefined) (merged as never as Record<string, unknown>)[key] = value;
  }
  const checked = configSchema.safeParse(merged);
  if (!checked.success) throw new ValidationError(formatZodError(checked.error));
  if (merged.chunkOverlap >= merged.chunkSize)
    throw new ValidationError(
      `chunkOverlap (${merged.chunkOverlap}) must be smaller than chunkSize (${merged.chunkSize})`,
    );
  merged.dir = resolve(merged.dir);
  return merged;
}

/** One line: `key: problem; key: problem`. */
export function formatZodError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`).join("; ");
}

/** The folder of one collection's index files. */
export function collectionDir(settings: Pick<Settings, "dir" | "collection">): string {
  return join(settings.dir, settings.collection);
}

/** Whether a local copy of the model exists (then it loads offline). */
export function hasLocalModel(settings: Pick<Settings, "modelDir" | "model">): boolean {
  return existsSync(join(settings.modelDir, settings.model, "config.json"));
}
