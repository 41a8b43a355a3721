import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServiceError } from "@ragloom/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type ServiceHandle, startRedis, stopAllServices } from "../../../test/services.js";
import {
  collectKeys,
  createFileSystemDocStore,
  createInMemoryDocStore,
  encodeFileName,
} from "../src/index.js";
import { createRedisDocStore, type RedisDocStore } from "../src/redis.js";
import { runDocStoreConformance } from "./docstore-conformance.js";

let redis: ServiceHandle;
const dirs: string[] = [];
const redisStores: RedisDocStore[] = [];
let n = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(redisStores.map((s) => s.close()));
  await stopAllServices();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "ragloom-docstore-"));
  dirs.push(d);
  return d;
};

runDocStoreConformance("InMemoryDocStore", async () => createInMemoryDocStore());
runDocStoreConformance("FileSystemDocStore", async () =>
  createFileSystemDocStore({ directory: join(tempDir(), "docs") }),
);
runDocStoreConformance("RedisDocStore (real redis-server)", async () => {
  // a fresh namespace per test keeps stores apart on one server
  const store = await createRedisDocStore({ url: redis.url, namespace: `t${n++}:`, batchSize: 100 });
  redisStores.push(store);
  return store;
});

describe("FileSystemDocStore specifics", () => {
  it("names files safely on case-insensitive file systems and leaves no temporary files", async () => {
    expect(encodeFileName("Ab.c")).toBe("%41b%2ec.json");
    expect(encodeFileName("..")).toBe("%2e%2e.json");
    expect(encodeFileName("x".repeat(300))).toMatch(/^~[0-9a-f]{64}\.json$/);
    const dir = tempDir();
    const store = createFileSystemDocStore({ directory: dir });
    await store.mset([
      { id: "A", text: "upper", metadata: {} },
      { id: "a", text: "lower", metadata: {} },
    ]);
    expect(readdirSync(dir).sort()).toEqual(["%41.json", "a.json"]);
    // a second store on the same folder sees the same documents (persistence)
    const again = createFileSystemDocStore({ directory: dir });
    expect((await again.mget(["A", "a"])).map((d) => d?.text)).toEqual(["upper", "lower"]);
  });

  it("lists nothing for a folder that does not exist yet", async () => {
    const store = createFileSystemDocStore({ directory: join(tempDir(), "not", "yet") });
    expect(await collectKeys(store)).toEqual([]);
    expect(await store.mget(["x"])).toEqual([undefined]);
  });
});

describe("RedisDocStore specifics", () => {
  it("writes under its namespace only and uses an injected client without closing it", async () => {
    const client = new Redis(redis.url);
    try {
      const a = await createRedisDocStore({ client, namespace: "nsA:" });
      const b = await createRedisDocStore({ client, namespace: "nsB:" });
      await a.mset([{ id: "x", text: "from a", metadata: {} }]);
      expect(await b.mget(["x"])).toEqual([undefined]);
      expect(await client.get("nsA:x")).toBe(JSON.stringify({ id: "x", text: "from a", metadata: {} }));
      await a.close();
      expect(await client.ping()).toBe("PONG");
    } finally {
      client.disconnect();
    }
  });

  it("sets a time to live when asked", async () => {
    const store = await createRedisDocStore({ url: redis.url, namespace: "ttl:", ttlSeconds: 100 });
    redisStores.push(store);
    await store.mset([{ id: "x", text: "t", metadata: {} }]);
    const ttl = await store.client.ttl("ttl:x");
    expect(ttl).toBeGreaterThan(90);
    expect(ttl).toBeLessThanOrEqual(100);
  });

  it("fails with ServiceError when Redis is unreachable", async () => {
    const port = await freePort();
    await expect(
      createRedisDocStore({
        url: `redis://127.0.0.1:${port}`,
        redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null },
      }),
    ).rejects.toBeInstanceOf(ServiceError);
  });
});
