import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHandle, startRedis, stopAllServices } from "../../../test/services.js";
import {
  createPromptClient,
  createPromptEvents,
  createPromptRegistry,
  type PromptEventMap,
} from "../src/index.js";
import { createRedisPromptStore, type RedisPromptStore } from "../src/redis.js";

let redis: ServiceHandle;
let store: RedisPromptStore;
let defaultStore: RedisPromptStore;

beforeAll(async () => {
  redis = await startRedis();
  store = await createRedisPromptStore({
    url: redis.url,
    // fail commands quickly while the server is down instead of queueing them
    redisOptions: { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => 100 },
  });
  // default ioredis options: commands queue while disconnected, so only the client's timeout helps
  defaultStore = await createRedisPromptStore({ url: redis.url });
});
afterAll(async () => {
  await store.close();
  defaultStore.client.disconnect();
  await stopAllServices();
});

describe("prompt client with a real Redis that goes down", () => {
  it("serves the cached version, then the fallback, emitting fallback events; recovers after restart", async () => {
    const registry = createPromptRegistry({ store });
    await registry.publish({
      name: "qa",
      content: { type: "text", template: "live {{q}}" },
      labels: ["production"],
    });
    const events = createPromptEvents();
    const fallbacks: Array<PromptEventMap["fallback"]> = [];
    events.on("fallback", (e) => fallbacks.push(e));
    let clock = 0;
    const client = createPromptClient({
      source: registry,
      ttlMs: 1000,
      staleWhileRevalidateMs: 0,
      timeoutMs: 1000,
      fallbacks: { summary: { type: "text", template: "fallback summary of {{text}}" } },
      events,
      now: () => clock,
    });
    expect((await client.get("qa")).source).toBe("store");

    await redis.stop();
    clock = 5000;
    const cached = await client.get("qa");
    expect(cached).toMatchObject({ source: "stale-cache", version: 1 });
    expect(cached.format({ q: "x" })).toBe("live x");
    const fb = await client.get("summary");
    expect(fb).toMatchObject({ source: "fallback", version: 0 });
    expect(fb.format({ text: "t" })).toBe("fallback summary of t");
    expect(fallbacks.map((f) => [f.name, f.source, (f.error as Error).name])).toEqual([
      ["qa", "stale-cache", expect.stringMatching(/ServiceError|TimeoutError/)],
      ["summary", "fallback", expect.stringMatching(/ServiceError|TimeoutError/)],
    ]);

    // with a queueing client the fetch hangs: the client's timeoutMs turns that into a fallback
    const slow = createPromptClient({
      source: createPromptRegistry({ store: defaultStore }),
      timeoutMs: 300,
      fallbacks: { qa: { type: "text", template: "fb {{q}}" } },
      events,
    });
    const started = Date.now();
    expect((await slow.get("qa")).source).toBe("fallback");
    expect(Date.now() - started).toBeLessThan(3000);
    expect((fallbacks.at(-1)!.error as Error).name).toBe("TimeoutError");

    await redis.restart();
    // a fresh server (no persistence): publish again once the client has reconnected
    for (let i = 0; i < 50 && store.client.status !== "ready"; i++)
      await new Promise((r) => setTimeout(r, 100));
    await registry.publish({
      name: "qa",
      content: { type: "text", template: "back {{q}}" },
      labels: ["production"],
    });
    clock = 20_000;
    expect((await client.get("qa")).format({ q: "!" })).toBe("back !");
  });
});
