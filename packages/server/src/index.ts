/**
 * `@ragloom/server`: ragloom retrieval as a service. An HTTP API on Hono (OpenAPI 3.1 at
 * `/openapi.json`, API keys, per-key rate limits, problem+json errors, health and Prometheus
 * metrics) and an MCP server on the official SDK (stdio and Streamable HTTP), over one or more
 * collections, each with its own store, result cache and keys.
 * @module @ragloom/server
 */

export {
  createKeyring,
  generateApiKey,
  hashApiKey,
  isAllowed,
  type Keyring,
  type Principal,
} from "./auth/api-keys.js";
export { CONFIG_ENV, type LoadConfigOptions, loadConfig, parseConfig } from "./config/load-config.js";
export {
  type ApiKeyConfig,
  type CollectionConfig,
  type Permission,
  type RateLimitConfig,
  type ServerConfig,
  type ServerConfigInput,
  serverConfigSchema,
} from "./config/schema.js";
export { ConfigError, type ConfigIssue, InvalidBodyError, NotFoundError } from "./errors.js";
export { API_VERSION, createHttpApp, type HttpApp, type HttpAppOptions } from "./http/app.js";
export type { ServerEnv } from "./http/context.js";
export { type Problem, type ProblemResponse, toProblem } from "./http/problem.js";
export { createRateLimiter, type RateLimitDecision, type RateLimiter } from "./http/rate-limit.js";
export type { AnswerHandler, AnswerInput, AnswerPart } from "./http/routes/answer.js";
export {
  createMcpServer,
  documentUri,
  LOCAL_PRINCIPAL,
  MCP_SERVER_VERSION,
  type McpServerOptions,
} from "./mcp/mcp-server.js";
export { connectMcpStdio, mountMcpHttp } from "./mcp/transports.js";
export {
  createLogger,
  createRuntime,
  type Runtime,
  type RuntimeOverrides,
} from "./runtime/create-runtime.js";
export { DocumentIndex, type FacetResult, type FacetValue } from "./runtime/document-index.js";
export { createMemoryQueryTracker } from "./runtime/memory-query-tracker.js";
export type { IngestResult, SearchOptions, StoredDocument, Tenant, TenantStats } from "./runtime/tenant.js";
export {
  createServer,
  type RagloomServer,
  type RunningHttpServer,
  type ServerOptions,
  startHttpServer,
  startMcpServer,
} from "./start.js";
