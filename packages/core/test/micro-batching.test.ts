import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireModelDir } from "../../../test/services.js";
import { type Embedder, ServiceError, ValidationError, withMicroBatching } from "../src/index.js";
import { createTransformersEmbedder, type TransformersEmbedder } from "../src/transformers.js";

let real: TransformersEmbedder;
beforeAll(async () => {
  real = await createTransformersEmbedder({ localModelPath: requireModelDir(), offline: true, threads: 1 });
});
afterAll(async () => {
  await real.dispose?.();
});

const queries = [
  "vitamin D and fractures",
  "Does smoking cause lung cancer in non-drinkers?",
  "A",
  "statins lower LDL cholesterol",
  "How do T cells recognise antigens presented by MHC class I molecules on infected cells?",
  "aspirin",
  "insulin resistance in obesity",
  "microRNA regulation of apoptosis",
  "BRCA1 mutations and breast cancer risk",
  "gut microbiome",
];

/** The real embedder, with the sizes of its `embedQueries` batches recorded. */
function counted(e: TransformersEmbedder): { embedder: TransformersEmbedder; batches: number[] } {
  const batches: number[] = [];
  const embedder: TransformersEmbedder = {
    ...e,
    get device() {
      return e.device;
    },
    embedQueries: (texts, o) => {
      batches.push(texts.length);
      return e.embedQueries(texts, o);
    },
  };
  return { embedder, batches };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("withMicroBatching (real all-MiniLM-L6-v2)", () => {
  it("embeds concurrent queries as one batch, with the unbatched vectors", async () => {
    const { embedder, batches } = counted(real);
    const batched = withMicroBatching(embedder, { batchWindowMs: 20 });
    const got = await Promise.all(queries.map((q) => batched.embedQuery(q)));
    expect(batches).toEqual([queries.length]);
    for (const [i, q] of queries.entries()) {
      const alone = await real.embedQuery(q);
      expect(got[i]!.length).toBe(384);
      expect(maxAbsDiff(got[i]!, alone)).toBeLessThan(1e-5);
    }
  });

  it("caps batches at maxBatch and batches what arrives while the model is busy", async () => {
    const { embedder, batches } = counted(real);
    const batched = withMicroBatching(embedder, { batchWindowMs: 5, maxBatch: 4 });
    const got = await Promise.all([...queries, ...queries].map((q) => batched.embedQuery(q)));
    expect(got).toHaveLength(20);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(20);
    expect(Math.max(...batches)).toBeLessThanOrEqual(4);
    expect(batches.length).toBeLessThan(20);
  });

  it("dispatchWhenIdle sends a lone query at once and batches the ones that arrive meanwhile", async () => {
    const { embedder, batches } = counted(real);
    const batched = withMicroBatching(embedder, { batchWindowMs: 60_000, dispatchWhenIdle: true });
    const got = await Promise.all(queries.map((q) => batched.embedQuery(q)));
    expect(batches).toEqual([1, queries.length - 1]);
    expect(maxAbsDiff(got[0]!, await real.embedQuery(queries[0]!))).toBeLessThan(1e-5);
  });

  it("a caller's abort rejects only that caller", async () => {
    const { embedder, batches } = counted(real);
    const batched = withMicroBatching(embedder, { batchWindowMs: 20 });
    const early = new AbortController();
    const late = new AbortController();
    const pre = new AbortController();
    pre.abort();
    const calls = queries.map((q, i) =>
      batched.embedQuery(q, { signal: i === 1 ? early.signal : i === 2 ? late.signal : undefined }),
    );
    const preCall = Promise.allSettled([batched.embedQuery("x", { signal: pre.signal })]);
    early.abort(); // while waiting in the window: leaves the batch
    setTimeout(() => late.abort(), 25); // after the batch left: its result is dropped
    const settled = await Promise.allSettled(calls);
    // the signal's reason, as every ragloom call does (a DOMException named AbortError by default)
    const [preResult] = await preCall;
    expect((preResult as PromiseRejectedResult).reason.name).toBe("AbortError");
    expect(settled[1]!.status).toBe("rejected");
    expect((settled[1] as PromiseRejectedResult).reason.name).toBe("AbortError");
    for (const [i, s] of settled.entries()) {
      if (i === 1 || i === 2) continue;
      expect(s.status).toBe("fulfilled");
      expect((s as PromiseFulfilledResult<Float32Array>).value.length).toBe(384);
    }
    expect(batches).toEqual([queries.length - 1]);
  });

  it("passes an embedder error to every caller of the batch", async () => {
    const fault = new ServiceError("embedder", "injected fault", { retryable: true });
    const failing: TransformersEmbedder = {
      ...real,
      device: real.device,
      embedQueries: async () => Promise.reject(fault),
    };
    const batched = withMicroBatching(failing, { batchWindowMs: 10 });
    const settled = await Promise.allSettled(queries.slice(0, 5).map((q) => batched.embedQuery(q)));
    for (const s of settled) {
      expect(s.status).toBe("rejected");
      expect((s as PromiseRejectedResult).reason).toBe(fault);
    }
    // the wrapper recovers: the next batch runs normally on a healthy embedder
    const healthy = withMicroBatching(real, { batchWindowMs: 1 });
    expect((await healthy.embedQuery("after the fault")).length).toBe(384);
  });

  it("passes the other members through and rejects bad input and options", async () => {
    const batched = withMicroBatching(real);
    expect(batched.modelId).toBe(real.modelId);
    expect(batched.dimensions).toBe(384);
    expect(batched.device).toBe("cpu");
    expect(batched.countTokens("hello world")).toBe(2);
    expect((await batched.embedDocuments(["a", "b"])).length).toBe(2);
    await expect(batched.embedQuery(42 as unknown as string)).rejects.toBeInstanceOf(ValidationError);
    expect(() => withMicroBatching(real, { maxBatch: 0 })).toThrow(ValidationError);
    expect(() => withMicroBatching(real, { batchWindowMs: -1 })).toThrow(ValidationError);
  });

  it("falls back to one embedQuery per query without embedQueries", async () => {
    const plain: Embedder = {
      modelId: real.modelId,
      dimensions: real.dimensions,
      normalized: true,
      embedDocuments: (t, o) => real.embedDocuments(t, o),
      embedQuery: (t, o) => real.embedQuery(t, o),
    };
    const batched = withMicroBatching(plain, { batchWindowMs: 1 });
    const [a, b] = await Promise.all([batched.embedQuery(queries[0]!), batched.embedQuery(queries[1]!)]);
    expect(maxAbsDiff(a!, await real.embedQuery(queries[0]!))).toBe(0);
    expect(b!.length).toBe(384);
  });
});
