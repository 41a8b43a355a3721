import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { ServiceError, ValidationError } from "@ragloom/core";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { REPO_ROOT, type ServiceHandle, startRedis, stopAllServices } from "../../../test/services.js";
import {
  createFileSystemPromptStore,
  createInMemoryPromptStore,
  createPromptRegistry,
} from "../src/index.js";
import { createRedisPromptStore, type RedisPromptStore } from "../src/redis.js";
import { request, runPromptStoreConformance } from "./prompt-store-conformance.js";

const run = promisify(execFile);
let redis: ServiceHandle;
const dirs: string[] = [];
const closers: Array<() => Promise<unknown>> = [];
let n = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  await stopAllServices();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "ragloom-prompts-"));
  dirs.push(d);
  return d;
};
const redisStore = async (namespace = `t${n++}:`): Promise<RedisPromptStore> => {
  const store = await createRedisPromptStore({ url: redis.url, namespace });
  closers.push(() => store.close());
  return store;
};

runPromptStoreConformance("InMemoryPromptStore", async () => createInMemoryPromptStore());
runPromptStoreConformance("FileSystemPromptStore (yaml)", async () =>
  createFileSystemPromptStore({ directory: join(tempDir(), "prompts") }),
);
runPromptStoreConformance("FileSystemPromptStore (json)", async () =>
  createFileSystemPromptStore({ directory: tempDir(), format: "json" }),
);
runPromptStoreConformance("RedisPromptStore (real redis-server)", () => redisStore());

/** Runs `workers` child processes (tsx) that each publish `count` versions at once. */
async function publishFromProcesses(
  kind: "redis" | "fs",
  target: string,
  name: string,
  workers: number,
  count: number,
  namespace?: string,
) {
  const worker = resolve(import.meta.dirname, "publish-worker.ts");
  const tsx = join(REPO_ROOT, "node_modules", ".bin", "tsx");
  const outputs = await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      run(tsx, [worker, kind, target, name, String(count), String(w), ...(namespace ? [namespace] : [])], {
        cwd: REPO_ROOT,
        timeout: 60_000,
      }),
    ),
  );
  return outputs.flatMap((o) => JSON.parse(o.stdout) as number[]);
}

describe("RedisPromptStore atomic publishing", () => {
  it("several ioredis clients and several processes publishing at once get versions 1..N exactly once", async () => {
    const namespace = `race${n++}:`;
    const clients = await Promise.all(Array.from({ length: 6 }, () => redisStore(namespace)));
    const remotePromise = publishFromProcesses("redis", redis.url, "hot", 3, 20, namespace).catch((e) => {
      throw new Error(`worker failed: ${e.stderr ?? e}`);
    });
    // barrier: wait until the 3 processes are connected, then everyone publishes at once
    const admin = clients[0]!.client;
    const deadline = Date.now() + 30_000;
    while (Number(await admin.get(`${namespace}ready`)) < 3) {
      if (Date.now() > deadline) throw new Error("publish workers did not start");
      await new Promise((r) => setTimeout(r, 10));
    }
    await admin.set(`${namespace}go`, "1");
    const local = await Promise.all(
      clients.flatMap((store, c) => {
        const registry = createPromptRegistry({ store });
        return Array.from({ length: 20 }, (_, i) =>
          registry
            .publish({ name: "hot", content: { type: "text", template: `client ${c} item ${i} {{q}}` } })
            .then((r) => r.version.version),
        );
      }),
    );
    const remote = await remotePromise;
    // 120 publishes from 6 connections in this process + 60 from 3 other processes, one prompt
    const all = [...local, ...remote].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 180 }, (_, i) => i + 1));
    const versions = await clients[0]!.versions("hot");
    expect(versions.map((v) => v.version)).toEqual(all);
    expect(new Set(versions.map((v) => v.hash)).size).toBe(180);
    expect((await clients[1]!.head("hot"))?.latest).toBe(180);
    // the publishers really overlapped: numbers of the other processes interleave with ours
    expect(Math.min(...remote)).toBeLessThan(Math.max(...local));
    expect(Math.min(...local)).toBeLessThan(Math.max(...remote));
  });

  it("wraps connection failures in ServiceError", async () => {
    await expect(
      createRedisPromptStore({
        url: "redis://127.0.0.1:1",
        redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null },
      }),
    ).rejects.toThrow(ServiceError);
  });

  it("uses an injected client and leaves it open", async () => {
    const client = new Redis(redis.url);
    const store = await createRedisPromptStore({ client, namespace: "inj:" });
    await store.publish(request("x", { type: "text", template: "hi" }));
    await store.close();
    expect(await client.hget("inj:x:head", "latest")).toBe("1");
    await client.quit();
  });
});

describe("FileSystemPromptStore specifics", () => {
  it("writes one readable YAML file per prompt with templates as literal blocks", async () => {
    const dir = tempDir();
    const registry = createPromptRegistry({
      store: createFileSystemPromptStore({ directory: dir }),
      now: () => new Date("2026-02-03T04:05:06Z"),
    });
    await registry.publish({
      name: "qa",
      content: { type: "text", template: "Answer the question.\nQuestion: {{question}}\n" },
      author: "ada",
      message: "first",
      labels: ["production"],
    });
    const text = readFileSync(join(dir, "qa.yaml"), "utf8");
    expect(text).toContain("labels:\n  production: 1\n");
    expect(text).toContain("template: |\n        Answer the question.\n        Question: {{question}}\n");
    expect(text).toContain("createdAt: 2026-02-03T04:05:06.000Z");
    expect(parseYaml(text).versions[0].author).toBe("ada");
  });

  it("refuses a version whose content was edited by hand, and garbage files", async () => {
    const dir = tempDir();
    const store = createFileSystemPromptStore({ directory: dir, format: "json" });
    await store.publish(request("p", { type: "text", template: "original" }));
    const file = join(dir, "p.json");
    writeFileSync(file, readFileSync(file, "utf8").replace("original", "sneaky"));
    await expect(store.get("p", { version: 1 })).rejects.toThrow(/does not match its hash/);
    writeFileSync(file, "{not json");
    await expect(store.head("p")).rejects.toThrow(ValidationError);
  });

  it("several processes publishing into one folder get versions 1..N exactly once", async () => {
    const dir = tempDir();
    const got = await publishFromProcesses("fs", dir, "shared", 3, 8).catch((e) => {
      throw new Error(`worker failed: ${e.stderr ?? e}`);
    });
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    const store = createFileSystemPromptStore({ directory: dir });
    expect((await store.versions("shared")).map((v) => v.version)).toEqual(
      Array.from({ length: 24 }, (_, i) => i + 1),
    );
  });
});
