import { ServiceError, ValidationError } from "@ragloom/core";
import { connectRedis as connectRedisClient } from "@ragloom/core/redis";
import type { Redis, RedisOptions } from "ioredis";
import type { PromptContent } from "../template/content.js";
import type {
  LabelMove,
  PromptRef,
  PromptStore,
  PromptVersion,
  PublishRequest,
  PublishResult,
} from "./types.js";
import { checkLabel, checkPromptName, checkVersion } from "./validate.js";

/** Options of {@link createRedisPromptStore}. */
export interface RedisPromptStoreOptions {
  /** An existing ioredis client (dependency injection); the store never closes it. */
  client?: Redis;
  /** Connection URL when no `client` is given. @default "redis://127.0.0.1:6379" */
  url?: string;
  /** Extra ioredis options when no `client` is given. @default {} */
  redisOptions?: RedisOptions;
  /** Prefix of every key. @default "ragloom:prompt:" */
  namespace?: string;
  /** Called with connection errors of a client the store opened itself. @default ignore them */
  onConnectionError?: (error: Error) => void;
}

// KEYS: versions hash, labels hash, head hash, index set. ARGV: name, hash, payload, labels...
// Atomic: Redis runs a script without interleaving other commands (https://redis.io/docs/latest/develop/interact/programmability/eval-intro/).
const PUBLISH = `
local latest = tonumber(redis.call('HGET', KEYS[3], 'latest') or '0')
local v = latest
local created = 0
if latest == 0 or redis.call('HGET', KEYS[3], 'hash') ~= ARGV[2] then
  v = latest + 1
  redis.call('HSET', KEYS[1], tostring(v), ARGV[3])
  redis.call('HSET', KEYS[3], 'latest', tostring(v), 'hash', ARGV[2])
  redis.call('SADD', KEYS[4], ARGV[1])
  created = 1
end
local moves = {}
for i = 4, #ARGV do
  local prev = redis.call('HGET', KEYS[2], ARGV[i])
  if tonumber(prev) ~= v then
    redis.call('HSET', KEYS[2], ARGV[i], tostring(v))
    table.insert(moves, ARGV[i])
    table.insert(moves, prev or '')
  end
end
return {v, created, redis.call('HGET', KEYS[1], tostring(v)), moves}
`;

// KEYS: versions, labels, head. ARGV: label or '', version or ''.
const RESOLVE = `
local v = ARGV[2]
if v == '' then
  if ARGV[1] == 'latest' then v = redis.call('HGET', KEYS[3], 'latest') else v = redis.call('HGET', KEYS[2], ARGV[1]) end
end
if not v then return false end
local payload = redis.call('HGET', KEYS[1], v)
if not payload then return false end
return {v, payload}
`;

// KEYS: versions, labels. ARGV: label, version.
const SET_LABEL = `
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then return false end
local prev = redis.call('HGET', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return prev or ''
`;

interface Payload {
  hash: string;
  createdAt: string;
  author: string;
  message: string;
  content: PromptContent;
}

function wrap(error: unknown, what: string): ServiceError {
  if (error instanceof ServiceError) return error;
  return new ServiceError("redis", `${what} failed: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

const toVersion = (name: string, version: number, payload: string): PromptVersion => {
  const p = JSON.parse(payload) as Payload;
  return {
    name,
    version,
    hash: p.hash,
    content: p.content,
    author: p.author,
    message: p.message,
    createdAt: p.createdAt,
  };
};

/**
 * A {@link PromptStore} on Redis through ioredis (optional peer, imported only by
 * `@ragloom/prompts/redis`). Per prompt: `<ns><name>:versions` (hash version → JSON),
 * `<ns><name>:labels` (hash label → version), `<ns><name>:head` (hash `latest`, `hash`), and the set
 * `<ns>_index` of names.
 *
 * `publish` is one Lua script (read latest, compare hashes, write version N+1, move labels), and
 * Redis runs scripts atomically, so any number of processes can publish at once without losing or
 * duplicating a version number. Needs a single Redis primary (keys of one call span hash slots, so
 * Redis Cluster is not supported).
 * @throws ServiceError (`service: "redis"`) when Redis fails or is unreachable.
 */
export class RedisPromptStore implements PromptStore {
  readonly kind = "redis";
  readonly namespace: string;
  private readonly ownsClient: boolean;

  constructor(
    readonly client: Redis,
    options: { namespace?: string; ownsClient?: boolean } = {},
  ) {
    this.namespace = options.namespace ?? "ragloom:prompt:";
    this.ownsClient = options.ownsClient ?? false;
  }

  private keys(name: string) {
    checkPromptName(name);
    const p = this.namespace + name;
    return [`${p}:versions`, `${p}:labels`, `${p}:head`];
  }

  async publish(request: PublishRequest): Promise<PublishResult> {
    const keys = this.keys(request.name);
    for (const l of request.labels) checkLabel(l);
    const payload: Payload = {
      hash: request.hash,
      createdAt: request.createdAt,
      author: request.author,
      message: request.message,
      content: request.content,
    };
    let reply: [number, number, string, string[]];
    try {
      reply = (await this.client.eval(
        PUBLISH,
        4,
        ...keys,
        `${this.namespace}_index`,
        request.name,
        request.hash,
        JSON.stringify(payload),
        ...request.labels,
      )) as [number, number, string, string[]];
    } catch (error) {
      throw wrap(error, "publish");
    }
    const [v, created, stored, moves] = reply;
    const labelMoves: LabelMove[] = [];
    for (let i = 0; i < moves.length; i += 2) {
      const from = moves[i + 1];
      labelMoves.push({ name: request.name, label: moves[i]!, from: from ? Number(from) : undefined, to: v });
    }
    return { version: toVersion(request.name, v, stored), created: created === 1, labelMoves };
  }

  async get(name: string, ref: PromptRef): Promise<PromptVersion | undefined> {
    const keys = this.keys(name);
    if (ref.version !== undefined) checkVersion(ref.version);
    else checkLabel(ref.label, true);
    let reply: [string, string] | null;
    try {
      reply = (await this.client.eval(
        RESOLVE,
        3,
        ...keys,
        ref.label ?? "",
        ref.version === undefined ? "" : String(ref.version),
      )) as [string, string] | null;
    } catch (error) {
      throw wrap(error, "get");
    }
    return reply ? toVersion(name, Number(reply[0]), reply[1]) : undefined;
  }

  async head(name: string) {
    const [, labelsKey, headKey] = this.keys(name);
    let latest: string | null;
    let labels: Record<string, string>;
    try {
      const res = await this.client.multi().hget(headKey!, "latest").hgetall(labelsKey!).exec();
      if (!res) throw new Error("transaction aborted");
      for (const [e] of res) if (e) throw e;
      latest = res[0]![1] as string | null;
      labels = res[1]![1] as Record<string, string>;
    } catch (error) {
      throw wrap(error, "head");
    }
    if (!latest) return undefined;
    return {
      latest: Number(latest),
      labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, Number(v)])),
    };
  }

  async versions(name: string): Promise<PromptVersion[]> {
    const [versionsKey] = this.keys(name);
    let all: Record<string, string>;
    try {
      all = await this.client.hgetall(versionsKey!);
    } catch (error) {
      throw wrap(error, "versions");
    }
    return Object.entries(all)
      .map(([v, payload]) => toVersion(name, Number(v), payload))
      .sort((a, b) => a.version - b.version);
  }

  async setLabel(name: string, label: string, version: number): Promise<LabelMove | undefined> {
    const [versionsKey, labelsKey] = this.keys(name);
    checkLabel(label);
    checkVersion(version);
    let prev: string | null;
    try {
      prev = (await this.client.eval(SET_LABEL, 2, versionsKey!, labelsKey!, label, String(version))) as
        | string
        | null;
    } catch (error) {
      throw wrap(error, "setLabel");
    }
    if (prev === null) return undefined;
    return { name, label, from: prev ? Number(prev) : undefined, to: version };
  }

  async deleteLabel(name: string, label: string): Promise<number | undefined> {
    const [, labelsKey] = this.keys(name);
    checkLabel(label);
    try {
      const res = await this.client.multi().hget(labelsKey!, label).hdel(labelsKey!, label).exec();
      const prev = res?.[0]?.[1] as string | null | undefined;
      return prev ? Number(prev) : undefined;
    } catch (error) {
      throw wrap(error, "deleteLabel");
    }
  }

  async list(): Promise<string[]> {
    try {
      return (await this.client.smembers(`${this.namespace}_index`)).sort();
    } catch (error) {
      throw wrap(error, "list");
    }
  }

  /** Closes the connection if this store opened it (a client passed in is left open). */
  async close(): Promise<void> {
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }
}

/**
 * Connects to Redis (used by the Redis prompt and experiment stores); see `connectRedis` of
 * `@ragloom/core/redis`.
 * @throws ServiceError when ioredis is not installed or the server is unreachable.
 */
export const connectRedis = connectRedisClient;

/**
 * Creates a {@link RedisPromptStore}, connecting with ioredis unless a `client` is given.
 * @throws ServiceError when ioredis is missing or Redis is unreachable.
 * @throws ValidationError for a bad namespace.
 */
export async function createRedisPromptStore(
  options: RedisPromptStoreOptions = {},
): Promise<RedisPromptStore> {
  if (options.namespace !== undefined && typeof options.namespace !== "string") {
    throw new ValidationError("namespace must be a string");
  }
  if (options.client) return new RedisPromptStore(options.client, { namespace: options.namespace });
  const client = await connectRedis(options);
  return new RedisPromptStore(client, { namespace: options.namespace, ownsClient: true });
}
