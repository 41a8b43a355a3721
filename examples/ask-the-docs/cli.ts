/**
 * Command-line options of ask-the-docs, parsed with commander (as the `ragloom` command does).
 * Bad flags and values become one-line messages and exit code 2, never a stack trace.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { DEFAULT_MIN_SIMILARITY } from "./no-match.js";

/** Exit codes of ask-the-docs. */
export const EXIT = {
  ok: 0,
  /** A service, file or model failed (Chroma unreachable, model missing). */
  failure: 1,
  /** Bad flags or values, an empty question. */
  usage: 2,
} as const;

export const MODES = ["hybrid", "dense", "lexical"] as const;
export const DTYPES = ["fp32", "q8"] as const;
/** Largest `-k`. */
export const MAX_K = 100;

/** Parsed options of one run. */
export interface AskOptions {
  /** Chroma server URL; unset for the in-memory store saved under `stateDir`. */
  chroma?: string;
  /** Chroma collection. */
  collection: string;
  k: number;
  mode: (typeof MODES)[number];
  /** Only hits of this package. */
  package?: string;
  reindex: boolean;
  modelDir: string;
  dtype: (typeof DTYPES)[number];
  /** Index only these packages. */
  only?: string[];
  stateDir: string;
  /** ISO 639-1 codes of the documents to index, or `"all"`. */
  languages: string[] | "all";
  /** Best dense cosine similarity below which "no good match" is printed. */
  minSimilarity: number;
  answer: boolean;
  llmUrl?: string;
  llmModel?: string;
  llmFile?: string;
  /** Questions from the command line (none: interactive on a terminal, else the quickstart question). */
  questions: string[];
}

/** What {@link parseCli} decided: run with options, or exit (after `--help`, or a usage error). */
export type ParseResult = { kind: "run"; options: AskOptions } | { kind: "exit"; code: number };

const ROOT = resolve(import.meta.dirname, "..", "..");
const defaultModelDir = () =>
  process.env.RAGLOOM_MODEL_DIR ??
  join(process.env.RAGLOOM_CACHE ?? join(homedir(), ".cache", "ragloom"), "models");

function positiveInt(name: string, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || n < 1 || n > max)
      throw new InvalidArgumentError(`${name} must be an integer from 1 to ${max}.`);
    return n;
  };
}

function similarity(value: string): number {
  const n = Number(value);
  if (!value.trim() || !Number.isFinite(n) || n < -1 || n > 1)
    throw new InvalidArgumentError("it must be a cosine similarity from -1 to 1.");
  return n;
}

function httpUrl(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol))
    throw new InvalidArgumentError("expected an http(s) URL such as http://127.0.0.1:8000.");
  return value;
}

function list(name: string) {
  return (value: string): string[] => {
    const items = value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (!items.length) throw new InvalidArgumentError(`${name} needs at least one name.`);
    return items;
  };
}

function languages(value: string): string[] | "all" {
  const items = list("--languages")(value).map((s) => s.toLowerCase());
  if (items.includes("all")) return "all";
  const bad = items.find((s) => !/^([a-z]{2}|und)$/.test(s));
  if (bad)
    throw new InvalidArgumentError(
      `"${bad}" is not an ISO 639-1 code; expected codes such as en,zh, "und" or "all".`,
    );
  return items;
}

function buildProgram(write: { out: (s: string) => void; err: (s: string) => void }): Command {
  return new Command("pnpm example")
    .description(
      "Index the Markdown docs of the packages installed in this workspace and answer questions with hybrid (BM25 + MiniLM) retrieval.",
    )
    .argument("[question...]", "questions to answer (none: interactive prompt on a terminal)")
    .option(
      "--chroma <url>",
      "use a Chroma server instead of the in-memory store saved in --state-dir",
      httpUrl,
    )
    .option("--collection <name>", "Chroma collection", "ask_the_docs")
    .option("-k <n>", `hits per question (1 to ${MAX_K})`, positiveInt("-k", MAX_K), 5)
    .addOption(new Option("--mode <mode>", "retrieval mode").choices(MODES).default("hybrid"))
    .option("--package <name>", "only hits from this package (default: all packages)")
    .option("--reindex", "re-embed everything even if the saved index is current", false)
    .addOption(
      new Option("--model-dir <path>", "folder of local transformers.js models").default(
        defaultModelDir(),
        "$RAGLOOM_MODEL_DIR or ~/.cache/ragloom/models",
      ),
    )
    .addOption(new Option("--dtype <dtype>", "embedding model weights").choices(DTYPES).default("fp32"))
    .option("--only <packages>", "index only these packages, comma-separated (default: all)", list("--only"))
    .addOption(
      new Option("--state-dir <path>", "where the in-memory index and the manifests are saved").default(
        join(ROOT, ".ragloom", "ask-the-docs"),
        ".ragloom/ask-the-docs at the repository root",
      ),
    )
    .addOption(
      new Option(
        "--languages <codes>",
        'languages to index: ISO 639-1 codes comma-separated, "und" for undetermined, or "all"',
      )
        .argParser(languages)
        .default(["en"], "en"),
    )
    .option(
      "--min-similarity <cosine>",
      'best dense cosine similarity under which "no good match" is printed',
      similarity,
      DEFAULT_MIN_SIMILARITY,
    )
    .option("--answer", "stream an answer with citations from a language model", false)
    .option("--llm-url <url>", "OpenAI-compatible server for --answer (needs --llm-model)")
    .option("--llm-model <name>", "model name the --llm-url server knows")
    .option("--llm-file <gguf>", "local GGUF model for --answer (default: SmolLM2-135M-Instruct from setup)")
    .helpOption("-h, --help", "show this help")
    .exitOverride()
    .configureOutput({
      writeOut: write.out,
      writeErr: write.err,
      outputError: (s, w) => w(`ask-the-docs: ${s.trim().replace(/\s*\n\s*/g, " ")}\n`),
    });
}

/**
 * Parses `argv` (the arguments after the script). Prints `--help` to `out`, and a usage error
 * as one line `ask-the-docs: error: …` to `err`, then returns `{ kind: "exit", code }`
 * (0 after `--help`, {@link EXIT.usage} for an error).
 */
export function parseCli(
  argv: string[],
  write: { out: (s: string) => void; err: (s: string) => void } = {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  },
): ParseResult {
  const program = buildProgram(write);
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError)
      return { kind: "exit", code: error.exitCode === 0 ? EXIT.ok : EXIT.usage };
    throw error;
  }
  const o = program.opts();
  const questions = program.args.map((q) => q.trim());
  const usage = (message: string): ParseResult => {
    write.err(`ask-the-docs: error: ${message}\n`);
    return { kind: "exit", code: EXIT.usage };
  };
  if (questions.some((q) => !q)) return usage("the question is empty; pass a question in quotes.");
  if (o.llmUrl && !o.llmModel) return usage("--llm-url needs --llm-model (the model name the server knows).");
  if ((o.llmUrl || o.llmModel || o.llmFile) && !o.answer)
    return usage("--llm-url, --llm-model and --llm-file only apply with --answer.");
  return {
    kind: "run",
    options: {
      chroma: o.chroma,
      collection: o.collection,
      k: o.k,
      mode: o.mode,
      package: o.package,
      reindex: o.reindex,
      modelDir: o.modelDir,
      dtype: o.dtype,
      only: o.only,
      stateDir: resolve(o.stateDir),
      languages: o.languages,
      minSimilarity: o.minSimilarity,
      answer: o.answer,
      llmUrl: o.llmUrl,
      llmModel: o.llmModel,
      llmFile: o.llmFile,
      questions,
    },
  };
}
