import { ServiceError } from "@ragloom/core";
import type { Redis, RedisOptions } from "ioredis";
import { connectRedis } from "../stores/redis-prompt-store.js";
import type {
  ExperimentDefinition,
  ExperimentStatus,
  ExperimentStore,
  OutcomeResult,
  VariantCounts,
} from "./types.js";

/** Options of {@link createRedisExperimentStore}. */
export interface RedisExperimentStoreOptions {
  /** An existing ioredis client; the store never closes it. */
  client?: Redis;
  /** Connection URL when no `client` is given. @default "redis://127.0.0.1:6379" */
  url?: string;
  /** Extra ioredis options when no `client` is given. @default {} */
  redisOptions?: RedisOptions;
  /** Prefix of every key. @default "ragloom:experiment:" */
  namespace?: string;
  /** Called with connection errors of a client the store opened itself. @default ignore them */
  onConnectionError?: (error: Error) => void;
}

// KEYS: units, exposures. ARGV: unit, variant.
const EXPOSE = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  return {1, ARGV[2]}
end
return {0, redis.call('HGET', KEYS[1], ARGV[1])}
`;

// KEYS: units, converted (unit set as hash), conversion counts, metrics set. ARGV: unit, metric tag.
const CONVERT = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return {0, ''} end
redis.call('SADD', KEYS[4], ARGV[2])
if redis.call('HSETNX', KEYS[2], ARGV[1], '1') == 1 then
  redis.call('HINCRBY', KEYS[3], v, 1)
  return {1, v}
end
redis.call('HINCRBY', KEYS[3], v, 0)
return {0, v}
`;

// KEYS: units, per-unit totals, aggregates, metrics set. ARGV: unit, value, metric tag.
// Keeps n, Σx and Σx² of per-unit totals: adding v to a unit at total o changes Σx² by (o+v)² - o².
const VALUE = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return '' end
redis.call('SADD', KEYS[4], ARGV[3])
local x = tonumber(ARGV[2])
local old = tonumber(redis.call('HGET', KEYS[2], ARGV[1]))
if not old then
  old = 0
  redis.call('HINCRBY', KEYS[3], v .. ':n', 1)
end
local new = old + x
redis.call('HSET', KEYS[2], ARGV[1], string.format('%.17g', new))
redis.call('HINCRBYFLOAT', KEYS[3], v .. ':sum', ARGV[2])
redis.call('HINCRBYFLOAT', KEYS[3], v .. ':sumsq', string.format('%.17g', new * new - old * old))
return v
`;

function wrap(error: unknown, what: string): ServiceError {
  if (error instanceof ServiceError) return error;
  return new ServiceError("redis", `${what} failed: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

/**
 * An {@link ExperimentStore} on Redis (ioredis). Per experiment `<ns><id>:`: `def` (JSON),
 * `status`, `units` (hash unit → variant), `exposures` (hash variant → count), and per metric
 * `conv:<m>` / `convcount:<m>` or `val:<m>` / `agg:<m>`. Exposures and outcomes are Lua scripts, so
 * each unit counts once however many processes record at the same time.
 * @throws ServiceError (`service: "redis"`) when Redis fails.
 */
export class RedisExperimentStore implements ExperimentStore {
  readonly kind = "redis";
  readonly namespace: string;
  private readonly ownsClient: boolean;

  constructor(
    readonly client: Redis,
    options: { namespace?: string; ownsClient?: boolean } = {},
  ) {
    this.namespace = options.namespace ?? "ragloom:experiment:";
    this.ownsClient = options.ownsClient ?? false;
  }

  private k(id: string, suffix: string) {
    return `${this.namespace}${id}:${suffix}`;
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw wrap(error, what);
    }
  }

  async create(definition: ExperimentDefinition): Promise<ExperimentDefinition> {
    return this.call("create", async () => {
      const res = await this.client
        .multi()
        .set(this.k(definition.id, "def"), JSON.stringify(definition), "NX")
        .set(this.k(definition.id, "status"), "running", "NX")
        .sadd(`${this.namespace}_index`, definition.id)
        .get(this.k(definition.id, "def"))
        .exec();
      if (!res) throw new Error("transaction aborted");
      for (const [e] of res) if (e) throw e;
      return JSON.parse(res[3]![1] as string) as ExperimentDefinition;
    });
  }

  async get(id: string) {
    const [def, status] = await this.call("get", () =>
      this.client.mget(this.k(id, "def"), this.k(id, "status")),
    );
    if (!def) return undefined;
    return {
      definition: JSON.parse(def) as ExperimentDefinition,
      status: (status ?? "running") as ExperimentStatus,
    };
  }

  async setStatus(id: string, status: ExperimentStatus) {
    return this.call("setStatus", async () => {
      if (!(await this.client.exists(this.k(id, "def")))) return undefined;
      const previous = await this.client.getset(this.k(id, "status"), status);
      return (previous ?? "running") as ExperimentStatus;
    });
  }

  async list() {
    return this.call("list", async () => (await this.client.smembers(`${this.namespace}_index`)).sort());
  }

  async recordExposure(id: string, unitId: string, variant: string) {
    const [first, stored] = (await this.call("recordExposure", () =>
      this.client.eval(EXPOSE, 2, this.k(id, "units"), this.k(id, "exposures"), unitId, variant),
    )) as [number, string];
    return { variant: stored, first: first === 1 };
  }

  async recordConversion(id: string, unitId: string, metric: string): Promise<OutcomeResult> {
    const [recorded, variant] = (await this.call("recordConversion", () =>
      this.client.eval(
        CONVERT,
        4,
        this.k(id, "units"),
        this.k(id, `conv:${metric}`),
        this.k(id, `convcount:${metric}`),
        this.k(id, "metrics"),
        unitId,
        `conversion:${metric}`,
      ),
    )) as [number, string];
    return variant ? { recorded: recorded === 1, variant } : { recorded: false };
  }

  async recordValue(id: string, unitId: string, metric: string, value: number): Promise<OutcomeResult> {
    const variant = (await this.call("recordValue", () =>
      this.client.eval(
        VALUE,
        4,
        this.k(id, "units"),
        this.k(id, `val:${metric}`),
        this.k(id, `agg:${metric}`),
        this.k(id, "metrics"),
        unitId,
        String(value),
        `value:${metric}`,
      ),
    )) as string;
    return variant ? { recorded: true, variant } : { recorded: false };
  }

  async counts(id: string): Promise<Record<string, VariantCounts>> {
    return this.call("counts", async () => {
      const metrics = await this.client.smembers(this.k(id, "metrics"));
      const tx = this.client.multi().hgetall(this.k(id, "exposures"));
      for (const m of metrics) {
        const [kind, name] = [m.slice(0, m.indexOf(":")), m.slice(m.indexOf(":") + 1)];
        tx.hgetall(this.k(id, kind === "conversion" ? `convcount:${name}` : `agg:${name}`));
      }
      const res = await tx.exec();
      if (!res) throw new Error("transaction aborted");
      for (const [e] of res) if (e) throw e;
      const out: Record<string, VariantCounts> = {};
      const of = (v: string) => (out[v] ??= { exposures: 0, conversions: {}, values: {} });
      for (const [v, c] of Object.entries(res[0]![1] as Record<string, string>)) of(v).exposures = Number(c);
      metrics.forEach((m, i) => {
        const sep = m.indexOf(":");
        const kind = m.slice(0, sep);
        const name = m.slice(sep + 1);
        const hash = res[i + 1]![1] as Record<string, string>;
        if (kind === "conversion") {
          for (const [v, c] of Object.entries(hash)) of(v).conversions[name] = Number(c);
        } else {
          for (const [field, c] of Object.entries(hash)) {
            const at = field.lastIndexOf(":");
            const values = of(field.slice(0, at)).values;
            const agg = values[name] ?? { n: 0, sum: 0, sumSq: 0 };
            values[name] = agg;
            const key = field.slice(at + 1);
            if (key === "n") agg.n = Number(c);
            else if (key === "sum") agg.sum = Number(c);
            else agg.sumSq = Number(c);
          }
        }
      });
      return out;
    });
  }

  /** Closes the connection if this store opened it. */
  async close(): Promise<void> {
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }
}

/**
 * Creates a {@link RedisExperimentStore}, connecting with ioredis unless a `client` is given.
 * @throws ServiceError when ioredis is missing or Redis is unreachable.
 */
export async function createRedisExperimentStore(
  options: RedisExperimentStoreOptions = {},
): Promise<RedisExperimentStore> {
  if (options.client) return new RedisExperimentStore(options.client, { namespace: options.namespace });
  const client = await connectRedis(options);
  return new RedisExperimentStore(client, { namespace: options.namespace, ownsClient: true });
}
