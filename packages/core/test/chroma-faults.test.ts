/**
 * ChromaVectorStore against a real Chroma server behind a fault proxy: a failed or
 * half-done upsert never loses records, and authentication failures are reported as such
 * (not retried, not opening the breaker).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceHandle, startChroma, stopAllServices } from "../../../test/services.js";
import { createChromaVectorStore } from "../src/chroma.js";
import { ServiceError, type VectorRecord, withResilience } from "../src/index.js";
import { type FaultProxy, startFaultProxy } from "./chroma-fault-proxy.js";

let chroma: ServiceHandle;
let proxy: FaultProxy;
let n = 0;
beforeAll(async () => {
  chroma = await startChroma();
  proxy = await startFaultProxy(chroma.url);
});
afterAll(async () => {
  await proxy?.close();
  await stopAllServices();
});

const D = 8;
const vector = (i: number, version: number) =>
  Array.from({ length: D }, (_, j) => Math.sin(i * 7 + j * 3 + version) + (j === version ? 2 : 0));
const records = (version: number, metadata: (i: number) => VectorRecord["metadata"]): VectorRecord[] =>
  Array.from({ length: 100 }, (_, i) => ({
    id: `doc-${i}`,
    text: `version ${version} of document ${i}`,
    metadata: metadata(i),
    vector: vector(i, version),
  }));
const oldRecords = records(1, (i) => ({ version: 1, stale: `only in v1 ${i}`, tags: ["a", "b"] }));
const newRecords = records(2, (i) => ({ version: 2, i }));

const isUpsert = (path: string) => path.endsWith("/upsert");

async function seededStore(batchSize = 1000) {
  proxy.setRule(() => "forward");
  const store = await createChromaVectorStore({
    url: proxy.url,
    collection: `faults_${process.pid}_${n++}`,
    dimensions: D,
    batchSize,
  });
  await store.upsert(oldRecords);
  return store;
}

/** Every record is exactly its old or its new version (text, metadata and vector agree). */
async function versions(store: Awaited<ReturnType<typeof seededStore>>) {
  proxy.setRule(() => "forward");
  const got = await store.get(oldRecords.map((r) => r.id));
  return got.map((r, i) => {
    const old = oldRecords[i]!;
    const next = newRecords[i]!;
    expect(r.id).toBe(old.id);
    if (r.text === old.text) {
      expect(r.metadata).toEqual(old.metadata);
      return 1;
    }
    expect(r.text).toBe(next.text);
    expect(r.metadata).toEqual(next.metadata); // the stale key is gone: replaced, not merged
    return 2;
  });
}

describe("ChromaVectorStore.upsert replaces metadata without a window of loss (real Chroma + fault proxy)", () => {
  it("a failure of the write keeps all 100 old records", async () => {
    const store = await seededStore();
    proxy.setRule(({ path }) => (isUpsert(path) ? { status: 500, body: { error: "injected" } } : "forward"));
    const error = await store.upsert(newRecords).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).retryable).toBe(true);
    expect(await store.count()).toBe(100);
    expect(await versions(store)).toEqual(new Array(100).fill(1));
    // the retry converges to the new records, stale keys removed
    await store.upsert(newRecords);
    expect(await versions(store)).toEqual(new Array(100).fill(2));
  });

  it("a failure of the preceding read writes nothing", async () => {
    const store = await seededStore();
    proxy.setRule(({ path }) => (path.endsWith("/get") ? { status: 503 } : "forward"));
    await expect(store.upsert(newRecords)).rejects.toBeInstanceOf(ServiceError);
    expect(await versions(store)).toEqual(new Array(100).fill(1));
  });

  it("a write whose answer is lost leaves the new records, complete", async () => {
    const store = await seededStore();
    proxy.setRule(({ path }) => (isUpsert(path) ? "forward-then-drop" : "forward"));
    await expect(store.upsert(newRecords)).rejects.toMatchObject({ retryable: true });
    expect(await store.count()).toBe(100);
    expect(await versions(store)).toEqual(new Array(100).fill(2));
  });

  it("a failure in the third of four batches: each record old or new, none missing", async () => {
    const store = await seededStore(25);
    let upserts = 0;
    proxy.setRule(({ path }) => (isUpsert(path) && ++upserts === 3 ? { status: 500 } : "forward"));
    await expect(store.upsert(newRecords)).rejects.toBeInstanceOf(ServiceError);
    expect(await store.count()).toBe(100);
    const v = await versions(store);
    expect(v.slice(0, 50)).toEqual(new Array(50).fill(2));
    expect(v.slice(50)).toEqual(new Array(50).fill(1));
  });

  it("removes every old key when the new metadata is empty", async () => {
    const store = await seededStore();
    await store.upsert([{ ...oldRecords[0]!, metadata: {} }]);
    expect((await store.get(["doc-0"]))[0]!.metadata).toEqual({});
    const [hit] = await store.query(oldRecords[0]!.vector, {
      k: 1,
      filter: { op: "eq", field: "version", value: 1 },
    });
    expect(hit!.id).not.toBe("doc-0");
  });
});

describe("ChromaVectorStore authentication errors (real Chroma behind a token-checking proxy)", () => {
  const TOKEN = "s3cret";
  const tokenRule =
    (valid: string | null) =>
    ({ headers }: { headers: Record<string, unknown> }) => {
      const token = headers["x-chroma-token"];
      if (valid === null || token === undefined) return { status: 401, body: { error: "Unauthorized" } };
      if (token !== valid) return { status: 403, body: { error: "Forbidden" } };
      return "forward" as const;
    };
  const connect = (headers?: Record<string, string>) =>
    createChromaVectorStore({ url: proxy.url, collection: `auth_${process.pid}`, dimensions: D, headers });

  it("reports 401 and 403 as non-retryable ServiceErrors with the status, saying authentication failed", async () => {
    proxy.setRule(tokenRule(TOKEN));
    for (const [headers, status] of [
      [undefined, 401],
      [{ "x-chroma-token": "wrong" }, 403],
    ] as const) {
      const error = await connect(headers).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({ service: "chroma", status, retryable: false });
      expect((error as Error).message).toMatch(/authentication failed/);
    }
    const store = await connect({ "x-chroma-token": TOKEN });
    await store.upsert(oldRecords.slice(0, 5));
    expect(await store.count()).toBe(5);
  });

  it("is not retried and does not open the breaker when the token is revoked", async () => {
    proxy.setRule(tokenRule(TOKEN));
    const inner = await connect({ "x-chroma-token": TOKEN });
    const store = withResilience(inner, {
      retry: { retries: 3, minTimeoutMs: 10, maxTimeoutMs: 20 },
      breaker: { resetTimeoutMs: 60_000 },
    });
    proxy.setRule(tokenRule(null)); // every request now answers 401
    const before = proxy.log.length;
    for (let i = 0; i < 8; i++) {
      const error = await store.query(vector(1, 1), { k: 3 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceError);
      expect(error).toMatchObject({ status: 401, retryable: false });
    }
    expect(proxy.log.length - before).toBe(8); // one request per call: no retries
    expect(store.breaker?.state).toBe("closed");
    await expect(store.upsert(oldRecords.slice(0, 1))).rejects.toMatchObject({ status: 401 });
    proxy.setRule(tokenRule(TOKEN));
    expect(await store.count()).toBe(5);
  });
});

describe("ChromaVectorStore scope", () => {
  it("is chroma:url/tenant/database/collection: equal for one collection, different for another", async () => {
    proxy.setRule(() => "forward");
    const open = (collection: string, url = chroma.url) =>
      createChromaVectorStore({ url, collection, dimensions: D });
    const a = await open("scope_a");
    expect(a.scope).toBe(`chroma:${chroma.url}/default_tenant/default_database/scope_a`);
    expect((await open("scope_a")).scope).toBe(a.scope);
    expect((await open("scope_b")).scope).not.toBe(a.scope);
    expect((await open("scope_a", proxy.url)).scope).not.toBe(a.scope); // another address
    // an injected client: the URL is read from it
    const viaClient = await createChromaVectorStore({
      client: a.client,
      collection: "scope_a",
      dimensions: D,
    });
    expect(viaClient.scope).toBe(a.scope);
    // and withResilience passes it through, so result caches see the same identity
    expect((withResilience(a) as { scope?: string }).scope).toBe(a.scope);
  });
});
