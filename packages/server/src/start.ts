import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { LanguageModel } from "@ragloom/core";
import { loadConfig, parseConfig } from "./config/load-config.js";
import type { ServerConfig, ServerConfigInput } from "./config/schema.js";
import { ConfigError } from "./errors.js";
import { createHttpApp, type HttpApp } from "./http/app.js";
import type { AnswerHandler } from "./http/routes/answer.js";
import { connectMcpStdio, mountMcpHttp } from "./mcp/transports.js";
import { answersConfigured, createAnswerHandler } from "./runtime/answers.js";
import {
  createLogger,
  createRuntime,
  type Runtime,
  type RuntimeOverrides,
} from "./runtime/create-runtime.js";

/** Options of {@link createServer}, {@link startHttpServer} and {@link startMcpServer}. */
export interface ServerOptions extends RuntimeOverrides {
  /** The configuration (validated again here). @default read by `loadConfig({ file: configFile, env })` */
  config?: ServerConfig | ServerConfigInput;
  /** A JSON or YAML configuration file, used when `config` is absent. @default `env.RAGLOOM_CONFIG` */
  configFile?: string;
  /** Environment for `RAGLOOM_*` variables. @default process.env */
  env?: Record<string, string | undefined>;
  /** Answers `POST /v1/answer` and the MCP `answer` tool. @default built from `config.answer` and the collections' `answer` when any is set */
  answer?: AnswerHandler;
  /** The language model of every collection's answers (instead of the OpenAI-compatible `baseURL`). */
  answerModel?: LanguageModel;
}

/** A built server that is not listening yet. */
export interface RagloomServer {
  readonly runtime: Runtime;
  readonly http: HttpApp;
  /** The Hono app's fetch handler (`Request` → `Response`). */
  fetch(request: Request): Promise<Response>;
  /** Closes the runtime (Redis, embedder); call after the HTTP server stopped. */
  close(): Promise<void>;
}

/** A listening HTTP server. */
export interface RunningHttpServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly port: number;
  readonly server: RagloomServer;
  /**
   * Graceful shutdown: new requests get 503, the listener stops accepting connections, idle
   * keep-alive connections close, in-flight requests finish (up to `config.shutdownTimeoutMs`,
   * then their connections are closed), then Redis and the embedder are released. Safe to call twice.
   */
  close(): Promise<void>;
}

async function answerHandler(options: ServerOptions, runtime: Runtime): Promise<AnswerHandler | undefined> {
  if (options.answer) return options.answer;
  return answersConfigured(runtime) ? createAnswerHandler(runtime, options.answerModel) : undefined;
}

function resolveConfig(options: ServerOptions): ServerConfig {
  if (options.config) return parseConfig(options.config, {}, "options");
  return loadConfig({ file: options.configFile, env: options.env });
}

/**
 * Builds the server from its configuration: runtime (collections loaded from their stores,
 * Redis, caches, breakers, health, metrics) and the HTTP app with MCP at `/mcp` when
 * `config.mcpHttp`. Does not listen; see {@link startHttpServer}.
 * @throws ConfigError for an invalid configuration (every issue listed); ServiceError when a
 *   store cannot be reached.
 */
export async function createServer(options: ServerOptions = {}): Promise<RagloomServer> {
  const config = resolveConfig(options);
  const runtime = await createRuntime(config, options);
  const answer = await answerHandler(options, runtime);
  const http = createHttpApp(runtime, {
    answer,
    mcp: config.mcpHttp ? (app) => mountMcpHttp(app, runtime, { answer }) : undefined,
  });
  return {
    runtime,
    http,
    fetch: async (request) => http.app.fetch(request),
    close: () => runtime.close(),
  };
}

/**
 * Starts the HTTP API (and MCP over Streamable HTTP at `/mcp`) on `config.host:config.port`
 * with `@hono/node-server`. Port `0` picks a free port (see `url`).
 * @param options.signals - shut down gracefully on SIGTERM and SIGINT. @default false
 * @throws ConfigError for an invalid configuration or when no API key is configured;
 *   an `EADDRINUSE`-style error when the port is taken.
 */
export async function startHttpServer(
  options: ServerOptions & { signals?: boolean } = {},
): Promise<RunningHttpServer> {
  const config = resolveConfig(options);
  if (config.apiKeys.length === 0)
    throw new ConfigError("the HTTP API needs at least one API key", [
      {
        path: "apiKeys",
        message: "add { id, sha256, collections, permissions } entries (sha256 = hashApiKey(key))",
      },
    ]);
  const server = await createServer({ ...options, config });
  const node = serve({ fetch: server.http.app.fetch, port: config.port, hostname: config.host }) as Server;
  try {
    await new Promise<void>((resolve, reject) => {
      if (node.listening) return resolve();
      node.once("listening", resolve);
      node.once("error", reject);
    });
  } catch (error) {
    await server.close();
    throw error;
  }
  // responses not yet written to their sockets (Hono's bookkeeping ends when a handler returns)
  let active = 0;
  let onIdle: (() => void) | undefined;
  node.on("request", (_req, res) => {
    active++;
    res.once("close", () => {
      active--;
      if (active === 0) onIdle?.();
    });
  });
  const allWritten = () =>
    active === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          onIdle = resolve;
        });
  const { port } = node.address() as AddressInfo;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  server.runtime.logger.info({ url, collections: [...server.runtime.tenants.keys()] }, "listening");

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const log = server.runtime.logger;
      log.info({ inFlight: server.http.inFlight }, "shutting down");
      void server.http.drain();
      const stopped = new Promise<void>((resolve) => node.close(() => resolve()));
      node.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        allWritten().then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), config.shutdownTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut)
        log.warn({ inFlight: server.http.inFlight }, "shutdown timeout: closing open connections");
      node.closeAllConnections();
      await stopped;
      await server.close();
      log.info("stopped");
      log.flush?.();
    })();
    return closing;
  };
  if (options.signals) {
    const onSignal = (signal: NodeJS.Signals) => {
      server.runtime.logger.info({ signal }, "signal received");
      void close().then(() => process.exit(0));
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }
  return { url, port, server, close };
}

/**
 * Starts the MCP server over stdio with the same configuration as the HTTP API (API keys are
 * not used: whoever spawns the process has its rights). Logs go to stderr.
 * @returns `close()`, which closes the transport and the runtime.
 * @throws ConfigError for an invalid configuration.
 */
export async function startMcpServer(
  options: ServerOptions & { stdin?: NodeJS.ReadableStream; stdout?: NodeJS.WritableStream } = {},
): Promise<{ readonly runtime: Runtime; close(): Promise<void> }> {
  const config = resolveConfig(options);
  const logger = options.logger ?? createLogger(config.logLevel, 2);
  const runtime = await createRuntime(config, { ...options, logger });
  const answer = await answerHandler(options, runtime);
  const closeTransport = await connectMcpStdio(runtime, { ...options, answer });
  return {
    runtime,
    async close() {
      await closeTransport();
      await runtime.close();
    },
  };
}
