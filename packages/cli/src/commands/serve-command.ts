import { ValidationError } from "@ragloom/core";
import { applyIndexInfo, indexFiles, readIndexInfo } from "../index-store.js";
import { type Io, note } from "../io.js";
import { hasLocalModel, type PartialSettings, type Settings } from "../settings.js";

/** Options of `ragloom serve`. */
export interface ServeFlags {
  host?: string;
  port?: number;
  apiKeyEnv?: string;
}

/** A `@ragloom/server` configuration serving the collection of this index, read-only. */
async function serverConfig(settings: Settings, explicit: PartialSettings) {
  const info = await readIndexInfo(settings);
  if (!info)
    throw new ValidationError(
      `no index in ${indexFiles(settings).dir}: run \`ragloom index <folder>\` first`,
    );
  const s = applyIndexInfo(settings, info, explicit);
  const answers = explicit.llmUrl !== undefined || Boolean(process.env.RAGLOOM_LLM_URL);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(s.collection))
    throw new ValidationError(
      `collection "${s.collection}" cannot be served: use letters, digits, _ and - only`,
    );
  return {
    collections: [
      {
        name: s.collection,
        store:
          s.store === "chroma"
            ? { kind: "chroma" as const, url: s.chromaUrl, collection: s.collection }
            : { kind: "memory" as const, path: indexFiles(s).vectors },
        mode: s.mode,
        k: Math.min(s.k, 100),
        chunkSize: info.chunkSize,
        chunkOverlap: info.chunkOverlap,
      },
    ],
    embedder: {
      kind: "transformers" as const,
      model: info.model,
      localModelPath: s.modelDir,
      offline: hasLocalModel(s),
      dtype: info.dtype,
    },
    ...(answers && { answer: { baseURL: s.llmUrl, model: s.llmModel, k: Math.min(s.k, 100) } }),
  };
}

/** Notes (never fails) when the answer model's API does not list models: answers fail until it does. */
async function probeLlm(url: string, io: Io): Promise<void> {
  try {
    const res = await fetch(`${url.replace(/\/+$/, "")}/models`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok)
      note(io, `The answer model at ${url} answered ${res.status}; /v1/answer fails until it is up.`);
  } catch {
    note(io, `The answer model at ${url} is not reachable; /v1/answer fails until it is up.`);
  }
}

const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });

/**
 * `ragloom serve`: the index as an HTTP API (and MCP over Streamable HTTP at `/mcp`) with
 * `@ragloom/server`, until interrupted. Readers authenticate with the API key in the environment
 * variable `--api-key-env` (read permission on this collection). With `--llm-url` (or
 * `llmUrl` in the config file, or $RAGLOOM_LLM_URL) it also answers: `POST /v1/answer` and the
 * MCP `answer` tool, with the model `--llm-model`.
 * @throws ValidationError for a missing key, a missing index or a bad `--llm-url`; ConfigError
 *   for other invalid values.
 */
export async function serveCommand(
  flags: ServeFlags,
  settings: Settings,
  explicit: PartialSettings,
  io: Io,
  signal: AbortSignal,
): Promise<void> {
  const envName = flags.apiKeyEnv ?? "RAGLOOM_API_KEY";
  const key = process.env[envName];
  if (!key)
    throw new ValidationError(
      `set the API key clients will send in $${envName} (or name another variable with --api-key-env)`,
    );
  const base = await serverConfig(settings, explicit);
  const { hashApiKey, startHttpServer } = await import("@ragloom/server");
  if (base.answer) await probeLlm(base.answer.baseURL, io);
  const server = await startHttpServer({
    config: {
      ...base,
      host: flags.host ?? "127.0.0.1",
      port: flags.port ?? 8080,
      logLevel: io.quiet || io.json ? "warn" : "info",
      apiKeys: [
        {
          id: "cli",
          sha256: hashApiKey(key),
          collections: [base.collections[0]!.name],
          permissions: ["read"],
        },
      ],
    },
  });
  const name = base.collections[0]!.name;
  if (io.json) io.out(JSON.stringify({ url: server.url, collection: name, answers: Boolean(base.answer) }));
  else
    io.out(
      `Serving "${name}" at ${server.url} (MCP at ${server.url}/mcp${base.answer ? `; answers with ${base.answer.model} at ${base.answer.baseURL}` : ""}); Ctrl-C stops.`,
    );
  await untilAborted(signal);
  note(io, "Shutting down.");
  await server.close();
}

/**
 * `ragloom mcp`: the index as an MCP server on stdin/stdout, until stdin closes or interrupted;
 * with `--llm-url` (as for `serve`) it has the `answer` tool too.
 */
export async function mcpCommand(
  settings: Settings,
  explicit: PartialSettings,
  signal: AbortSignal,
): Promise<void> {
  const base = await serverConfig(settings, explicit);
  const { startMcpServer } = await import("@ragloom/server");
  const server = await startMcpServer({ config: { ...base, logLevel: "warn" } });
  const stdinClosed = new Promise<void>((resolve) => process.stdin.once("end", () => resolve()));
  await Promise.race([untilAborted(signal), stdinClosed]);
  await server.close();
}
