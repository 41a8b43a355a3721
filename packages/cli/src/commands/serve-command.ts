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
  };
}

const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });

/**
 * `ragloom serve`: the index as an HTTP API (and MCP over Streamable HTTP at `/mcp`) with
 * `@ragloom/server`, until interrupted. Readers authenticate with the API key in the environment
 * variable `--api-key-env` (read permission on this collection).
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
  if (io.json) io.out(JSON.stringify({ url: server.url, collection: base.collections[0]!.name }));
  else
    io.out(
      `Serving "${base.collections[0]!.name}" at ${server.url} (MCP at ${server.url}/mcp); Ctrl-C stops.`,
    );
  await untilAborted(signal);
  note(io, "Shutting down.");
  await server.close();
}

/** `ragloom mcp`: the index as an MCP server on stdin/stdout, until stdin closes or interrupted. */
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
