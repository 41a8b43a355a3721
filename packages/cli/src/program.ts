import { AbortError } from "@ragloom/core";
import { Command, CommanderError, Option } from "commander";
import { answerCommand } from "./commands/answer-command.js";
import { backupCommand } from "./commands/backup-command.js";
import { indexCommand } from "./commands/index-command.js";
import { queryCommand } from "./commands/query-command.js";
import { restoreCommand } from "./commands/restore-command.js";
import { mcpCommand, serveCommand } from "./commands/serve-command.js";
import { statsCommand } from "./commands/stats-command.js";
import { loadConfigFile } from "./config-file.js";
import { EXIT, exitCodeOf, oneLine } from "./exit-codes.js";
import { type Io, processIo } from "./io.js";
import { byteSize, collect, nonNegativeInt, positiveInt } from "./parse-options.js";
import { type PartialSettings, resolveSettings, type Settings } from "./settings.js";

/** The package version, printed by `--version`. */
export const VERSION = "0.1.0";

interface GlobalFlags {
  dir?: string;
  collection?: string;
  config?: string;
  store?: Settings["store"];
  chromaUrl?: string;
  model?: string;
  modelDir?: string;
  dtype?: Settings["dtype"];
  json?: boolean;
  quiet?: boolean;
}

const SETTING_FLAGS = [
  "dir",
  "collection",
  "store",
  "chromaUrl",
  "model",
  "modelDir",
  "dtype",
  "include",
  "exclude",
  "maxFileSize",
  "gitignore",
  "chunkSize",
  "chunkOverlap",
  "k",
  "mode",
  "llmUrl",
  "llmModel",
] as const;

/**
 * Runs the `ragloom` command line and resolves to its exit code (see {@link EXIT}); never
 * throws and never exits the process. Errors are printed as one line on stderr
 * (`ragloom: error: …`), and also as `{ "error": { code, message } }` on stdout with `--json`.
 * @param argv - the arguments after the program name.
 */
export async function run(argv: string[], io: Io = processIo(), signal?: AbortSignal): Promise<number> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(new AbortError("interrupted"));
  signal?.addEventListener("abort", onAbort, { once: true });
  let json = argv.includes("--json");
  const program = buildProgram(io, controller.signal, (j) => {
    json = j;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (error) {
    const code = exitCodeOf(error);
    if (error instanceof CommanderError) return code; // commander printed its own one-line message
    io.err(`ragloom: error: ${oneLine(error)}`);
    if (process.env.RAGLOOM_DEBUG && error instanceof Error && error.stack) io.err(error.stack);
    if (json) {
      const e = error as { code?: unknown };
      io.out(
        JSON.stringify({
          error: { code: typeof e.code === "string" ? e.code : "ERR_UNKNOWN", message: oneLine(error) },
        }),
      );
    }
    return code;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

function buildProgram(io: Io, signal: AbortSignal, setJson: (json: boolean) => void): Command {
  const program = new Command("ragloom")
    .description(
      "Index folders of Markdown, HTML, PDF and text; query them; back up and restore collections.",
    )
    .version(VERSION, "-V, --version")
    .option("--dir <path>", "index folder (default: ./.ragloom)")
    .option("-c, --collection <name>", 'collection name (default: "default")')
    .option(
      "--config <file>",
      "config file (default: ragloom.config.{json,ts,mjs,js} in the working directory)",
    )
    .addOption(
      new Option("--store <kind>", "vector store for a new index (default: memory)").choices([
        "memory",
        "chroma",
      ]),
    )
    .option("--chroma-url <url>", "Chroma server URL (default: http://localhost:8000)")
    .option("--model <id>", "embedding model (default: Xenova/all-MiniLM-L6-v2)")
    .option(
      "--model-dir <path>",
      "folder of local models (default: $RAGLOOM_MODEL_DIR or ~/.cache/ragloom/models)",
    )
    .addOption(new Option("--dtype <dtype>", "model weights (default: fp32)").choices(["fp32", "q8"]))
    .option("--json", "print one JSON document on stdout instead of text")
    .option("-q, --quiet", "no progress bars or notes")
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`ragloom: ${s.trim()}`),
    });

  const context = async (command: Command) => {
    const flags = command.optsWithGlobals() as GlobalFlags & Record<string, unknown>;
    io.json = Boolean(flags.json);
    io.quiet = Boolean(flags.quiet);
    setJson(io.json);
    const { config } = await loadConfigFile(flags.config);
    const fromFlags: PartialSettings = {};
    for (const key of SETTING_FLAGS) {
      const v = flags[key];
      if (v !== undefined && !(key === "gitignore" && v === true))
        (fromFlags as Record<string, unknown>)[key] = v;
    }
    const explicit = { ...config, ...fromFlags } as PartialSettings;
    return { settings: resolveSettings(config, fromFlags), explicit };
  };

  program
    .command("index")
    .description(
      "index folders incrementally: only new and changed files are embedded, deleted files are removed",
    )
    .argument("<dir...>", "folders to index")
    .option(
      "--include <glob>",
      "only files matching this glob (repeatable; default: Markdown, HTML, PDF, text)",
      collect,
    )
    .option("--exclude <glob>", "leave out files matching this glob (repeatable)", collect)
    .option("--max-file-size <size>", "skip larger files, e.g. 10mb (default: 10mb)", byteSize)
    .option("--no-gitignore", "do not honour .gitignore files")
    .option("--chunk-size <tokens>", "chunk size in model tokens (default: 200)", positiveInt("--chunk-size"))
    .option(
      "--chunk-overlap <tokens>",
      "overlap between chunks in tokens (default: 20)",
      nonNegativeInt("--chunk-overlap"),
    )
    .action(async (dirs: string[], _opts, command: Command) => {
      const { settings, explicit } = await context(command);
      await indexCommand(dirs, settings, explicit, io, signal);
    });

  program
    .command("query")
    .description("search the index: top-k chunks with score, source, section and page")
    .argument("<question>", "what to search for")
    .option("-k, --k <n>", "number of results (default: 5)", positiveInt("-k"))
    .addOption(
      new Option("--mode <mode>", "retrieval mode (default: hybrid)").choices(["dense", "lexical", "hybrid"]),
    )
    .option(
      "--filter <json>",
      'metadata filter (filter IR), e.g. \'{"op":"eq","field":"format","value":"pdf"}\'',
    )
    .action(async (question: string, opts: { filter?: string }, command: Command) => {
      const { settings, explicit } = await context(command);
      await queryCommand(question, opts, settings, explicit, io, signal);
    });

  program
    .command("answer")
    .description("answer a question from the index with an OpenAI-compatible model, citing numbered sources")
    .argument("<question>", "the question")
    .option("-k, --k <n>", "documents given to the model (default: 5)", positiveInt("-k"))
    .addOption(
      new Option("--mode <mode>", "retrieval mode (default: hybrid)").choices(["dense", "lexical", "hybrid"]),
    )
    .option("--filter <json>", "metadata filter (filter IR)")
    .option(
      "--llm-url <url>",
      "OpenAI-compatible chat API (default: $RAGLOOM_LLM_URL or http://localhost:8080/v1)",
    )
    .option("--llm-model <name>", 'model name sent to it (default: $RAGLOOM_LLM_MODEL or "default")')
    .option("--llm-gguf <file>", "run this GGUF model in process (needs node-llama-cpp) instead of --llm-url")
    .option("--max-tokens <n>", "longest answer in tokens (default: 256)", positiveInt("--max-tokens"))
    .action(
      async (
        question: string,
        opts: { filter?: string; maxTokens?: number; llmGguf?: string },
        command: Command,
      ) => {
        const { settings, explicit } = await context(command);
        await answerCommand(question, opts, settings, explicit, io, signal);
      },
    );

  program
    .command("serve")
    .description("serve the index over HTTP (and MCP at /mcp) with @ragloom/server until interrupted")
    .option("--host <host>", "address to listen on (default: 127.0.0.1)")
    .option("--port <port>", "port; 0 picks a free one (default: 8080)", nonNegativeInt("--port"))
    .option(
      "--api-key-env <name>",
      "environment variable holding the API key clients send (default: RAGLOOM_API_KEY)",
    )
    .option(
      "--llm-url <url>",
      "answer questions (POST /v1/answer, MCP answer) with this OpenAI-compatible chat API (default: $RAGLOOM_LLM_URL; none: no answers)",
    )
    .option("--llm-model <name>", 'model name sent to it (default: $RAGLOOM_LLM_MODEL or "default")')
    .action(async (opts: { host?: string; port?: number; apiKeyEnv?: string }, command: Command) => {
      const { settings, explicit } = await context(command);
      await serveCommand(opts, settings, explicit, io, signal);
    });

  program
    .command("mcp")
    .description("serve the index as an MCP server on stdin/stdout (for MCP clients that spawn it)")
    .option(
      "--llm-url <url>",
      "add the answer tool, with this OpenAI-compatible chat API (default: $RAGLOOM_LLM_URL; none: no answer tool)",
    )
    .option("--llm-model <name>", 'model name sent to it (default: $RAGLOOM_LLM_MODEL or "default")')
    .action(async (_opts, command: Command) => {
      const { settings, explicit } = await context(command);
      await mcpCommand(settings, explicit, signal);
    });

  program
    .command("stats")
    .description("what the index holds: files, chunks, model, store, size")
    .action(async (_opts, command: Command) => {
      const { settings, explicit } = await context(command);
      await statsCommand(settings, explicit, io);
    });

  program
    .command("backup")
    .description("write a verified snapshot of the collection (records, vectors, manifest with checksums)")
    .requiredOption("--out <dir>", "folder that holds the backups")
    .option(
      "--keep <n>",
      "keep the n newest backups of the collection, delete older ones after verifying the new one",
      positiveInt("--keep"),
    )
    .option("--archive", "write one .tar.gz archive instead of a folder")
    .action(async (opts: { out: string; keep?: number; archive?: boolean }, command: Command) => {
      const { settings, explicit } = await context(command);
      await backupCommand(opts, settings, explicit, io, signal);
    });

  program
    .command("restore")
    .description(
      "load a backup (folder or .tar.gz) into an empty collection of any store, verifying counts and checksums",
    )
    .argument("<backup>", "backup folder or archive")
    .action(async (path: string, _opts, command: Command) => {
      const { settings, explicit } = await context(command);
      await restoreCommand(path, settings, explicit, io, signal);
    });

  return program;
}
