import {
  type CircuitBreaker,
  createEmbeddingCache,
  createEventBus,
  createHealthCheck,
  createOpenAICompatibleEmbedder,
  type Embedder,
  type EventBus,
  float32Codec,
  type HealthCheck,
  type HealthDependency,
  InMemoryVectorStore,
  type QueryTracker,
  resultCodec,
  type VectorStore,
  withCache,
  withResilience,
} from "@ragloom/core";
import { createPrometheusMetrics } from "@ragloom/core/prometheus";
import type { Redis } from "ioredis";
import pino, { type Logger } from "pino";
import { Registry } from "prom-client";
import { createKeyring, type Keyring } from "../auth/api-keys.js";
import type { CollectionConfig, ServerConfig } from "../config/schema.js";
import { NotFoundError } from "../errors.js";
import { createBatchedQueryTracker } from "./batched-query-tracker.js";
import { createMemoryQueryTracker } from "./memory-query-tracker.js";
import { createTenant, type Tenant } from "./tenant.js";

/** Parts a caller can hand to {@link createRuntime} instead of having them built from the configuration. */
export interface RuntimeOverrides {
  /** The embedder (otherwise built from `config.embedder`). */
  embedder?: Embedder;
  /** Stores by collection name (otherwise built from each collection's `store`). */
  stores?: Record<string, VectorStore>;
  /** A pino logger. @default pino at `config.logLevel` writing JSON to stdout */
  logger?: Logger;
}

/** Everything the HTTP API and the MCP server share. */
export interface Runtime {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly events: EventBus;
  /** Prometheus registry of this server (not prom-client's global one). */
  readonly registry: Registry;
  readonly embedder: Embedder;
  readonly redis: Redis | undefined;
  readonly redisBreaker: CircuitBreaker | undefined;
  readonly keyring: Keyring;
  readonly tenants: ReadonlyMap<string, Tenant>;
  readonly defaultCollection: string;
  /** Readiness: the stores (critical) and Redis (not critical). */
  readonly readiness: HealthCheck;
  /** Deep health: readiness plus an embedding of a probe text. */
  readonly deepHealth: HealthCheck;
  /** The collection, or the default one for `undefined`. @throws NotFoundError for an unknown name. */
  tenant(name: string | undefined): Tenant;
  /** Closes Redis and disposes the embedder it built. */
  close(): Promise<void>;
}

const redact = ["req.headers.authorization", 'req.headers["x-api-key"]', "headers.authorization"];

/** The default pino logger of the server: JSON lines, authorization headers redacted. */
export function createLogger(level: string, destination: number | NodeJS.WritableStream = 1): Logger {
  const stream =
    typeof destination === "number" ? pino.destination({ fd: destination, sync: false }) : destination;
  return pino({ level, base: { service: "ragloom-server" }, redact }, stream);
}

async function buildEmbedder(config: ServerConfig, env: NodeJS.ProcessEnv): Promise<Embedder> {
  const e = config.embedder;
  if (e.kind === "openai-compatible") {
    return createOpenAICompatibleEmbedder({
      baseURL: e.baseURL,
      model: e.model,
      dimensions: e.dimensions,
      ...(e.apiKeyEnv && { apiKey: env[e.apiKeyEnv] }),
    });
  }
  const { createTransformersEmbedder } = await import("@ragloom/core/transformers");
  return createTransformersEmbedder({
    model: e.model,
    localModelPath: e.localModelPath,
    offline: e.offline,
    dtype: e.dtype,
  });
}

async function buildStore(c: CollectionConfig, dimensions: number, events: EventBus): Promise<VectorStore> {
  if (c.store.kind === "memory") {
    return c.store.path ? InMemoryVectorStore.load(c.store.path) : new InMemoryVectorStore({ dimensions });
  }
  const { createChromaVectorStore } = await import("@ragloom/core/chroma");
  const chroma = await createChromaVectorStore({
    collection: c.store.collection ?? c.name,
    dimensions,
    url: c.store.url,
    headers: c.store.headers,
  });
  return withResilience(chroma, { service: `chroma:${c.name}`, events });
}

/**
 * Builds the shared runtime of a server from a validated configuration: the event bus and its
 * Prometheus metrics, Redis (caches, rate limits, query tracking; optional), the embedder with its
 * embedding cache, one {@link Tenant} per collection (loaded from its store), health checks and
 * the keyring.
 * @throws ServiceError when a store cannot be reached at start; ValidationError for a bad store file.
 */
export async function createRuntime(
  config: ServerConfig,
  overrides: RuntimeOverrides = {},
): Promise<Runtime> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const events = createEventBus();
  const registry = new Registry();
  let redis: Redis | undefined;
  let redisBreaker: CircuitBreaker | undefined;
  let redisStores: typeof import("@ragloom/core/redis") | undefined;
  if (config.redis) {
    redisStores = await import("@ragloom/core/redis");
    // auto-pipelining: the commands of concurrent requests (rate limit, caches) issued in one
    // event-loop tick go out in one write
    redis = await redisStores.createRedisClient(config.redis.url, {
      commandTimeout: 1000,
      enableAutoPipelining: true,
    });
    redisBreaker = redisStores.createRedisBreaker({ events });
    if (redis.status !== "ready")
      logger.warn({ redis: "down" }, "Redis is not reachable; caches and rate limits run in process");
  }
  const raw = overrides.embedder ?? (await buildEmbedder(config, process.env));
  const embedder = config.embeddingCache
    ? withCache(
        raw,
        createEmbeddingCache({
          events,
          ...(redis &&
            redisStores && {
              l2: redisStores.createRedisCacheStore({
                client: redis,
                codec: float32Codec,
                breaker: redisBreaker,
                events,
              }),
            }),
        }),
      )
    : raw;

  const tenants = new Map<string, Tenant>();
  const flushers: Array<() => Promise<void>> = [];
  const breakers: CircuitBreaker[] = redisBreaker ? [redisBreaker] : [];
  const dependencies: Record<string, HealthDependency> = {};
  for (const c of config.collections) {
    const store = overrides.stores?.[c.name] ?? (await buildStore(c, raw.dimensions, events));
    const breaker = (store as { breaker?: CircuitBreaker }).breaker;
    if (breaker) breakers.push(breaker);
    const trackerKey = `ragloom:queries:${c.name}`;
    let tracker: QueryTracker;
    if (redis && redisStores) {
      // counted in process and written once a second, not one Redis round trip per query
      const batched = createBatchedQueryTracker({
        client: redis,
        key: trackerKey,
        reader: redisStores.createRedisQueryTracker({
          client: redis,
          key: trackerKey,
          breaker: redisBreaker,
          events,
        }),
        onError: (error) => events.emit("cache:error", { cache: "result", error }),
      });
      flushers.push(batched.close);
      tracker = batched;
    } else tracker = createMemoryQueryTracker();
    const tenant = createTenant({
      config: c,
      embedder,
      store,
      events,
      tracker,
      ...(redis &&
        redisStores && {
          resultL2: redisStores.createRedisCacheStore({
            client: redis,
            codec: resultCodec,
            breaker: redisBreaker,
            events,
          }),
        }),
    });
    await tenant.init();
    logger.info(
      { collection: c.name, store: store.kind, documents: tenant.documents.size },
      "collection loaded",
    );
    tenants.set(c.name, tenant);
    dependencies[`store:${c.name}`] = {
      check: (signal) => (store.ping ? store.ping({ signal }) : store.count({ signal })),
      ...(breaker && { breaker }),
    };
  }
  if (redis && redisStores)
    dependencies.redis = {
      check: redisStores.redisProbe(redis),
      critical: false,
      ...(redisBreaker && { breaker: redisBreaker }),
    };
  const embedderBreaker = (raw as { breaker?: CircuitBreaker }).breaker;
  const metrics = createPrometheusMetrics({ events, registry, breakers });
  const readiness = createHealthCheck({ dependencies });
  const deepHealth = createHealthCheck({
    dependencies: {
      ...dependencies,
      embedder: {
        check: (signal) => raw.embedQuery("health check", { signal }),
        timeoutMs: 10_000,
        ...(embedderBreaker && { breaker: embedderBreaker }),
      },
    },
  });
  const defaultCollection = config.defaultCollection ?? config.collections[0]!.name;

  return {
    config,
    logger,
    events,
    registry,
    embedder,
    redis,
    redisBreaker,
    keyring: createKeyring(config.apiKeys),
    tenants,
    defaultCollection,
    readiness,
    deepHealth,
    tenant(name) {
      const t = tenants.get(name ?? defaultCollection);
      if (!t) throw new NotFoundError(`unknown collection "${name}"`);
      return t;
    },
    async close() {
      metrics.detach();
      await Promise.all(flushers.map((f) => f()));
      if (redis) redis.disconnect();
      if (!overrides.embedder) await raw.dispose?.();
    },
  };
}
