import { Embeddings } from "@langchain/core/embeddings";
import {
  AbortError,
  cosineSimilarity,
  createRetriever,
  DimensionMismatchError,
  type Embedder,
  InMemoryVectorStore,
  ServiceError,
  ValidationError,
} from "@ragloom/core";
import { beforeAll, describe, expect, it } from "vitest";
import { fromLangChainEmbeddings, RagloomEmbeddings, toLangChainEmbeddings } from "../src/index.js";
import { CORPUS, miniLM } from "./fixtures.js";

const TEXTS = CORPUS.map((d) => d.text);

describe("embedding adapters over the real MiniLM embedder", () => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await miniLM();
  });

  it("toLangChainEmbeddings: a LangChain Embeddings giving the embedder's vectors as number[]", async () => {
    const lc = toLangChainEmbeddings(embedder);
    expect(lc).toBeInstanceOf(Embeddings);
    expect(lc).toBeInstanceOf(RagloomEmbeddings);
    expect(lc.modelId).toBe(embedder.modelId);
    expect(lc.dimensions).toBe(384);
    const docs = await lc.embedDocuments(TEXTS);
    const direct = await embedder.embedDocuments(TEXTS);
    expect(docs).toHaveLength(TEXTS.length);
    docs.forEach((v, i) => {
      expect(Array.isArray(v)).toBe(true);
      expect(v).toHaveLength(384);
      expect(v).toEqual(Array.from(direct[i]!));
    });
    const q = await lc.embedQuery("retry a failed request");
    expect(q).toEqual(Array.from(await embedder.embedQuery("retry a failed request")));
  });

  it("round-trips: ragloom -> LangChain -> ragloom gives the same vectors (cosine 1) and the same retrieval", async () => {
    const back = fromLangChainEmbeddings(toLangChainEmbeddings(embedder), {
      modelId: embedder.modelId,
      normalized: embedder.normalized,
    });
    expect(() => back.dimensions).toThrow(ValidationError);
    const vectors = await back.embedDocuments(TEXTS);
    expect(back.dimensions).toBe(384);
    const direct = await embedder.embedDocuments(TEXTS);
    vectors.forEach((v, i) => {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toEqual(direct[i]);
      expect(cosineSimilarity(v, direct[i]!)).toBeCloseTo(1, 6);
    });
    // and the vectors of different texts are not the same
    expect(cosineSimilarity(vectors[0]!, vectors[2]!)).toBeLessThan(0.9);

    const retrieverOf = async (e: Embedder) => {
      const r = createRetriever({
        embedder: e,
        store: new InMemoryVectorStore({ dimensions: 384 }),
        splitter: false,
      });
      await r.add(CORPUS);
      return r;
    };
    const [a, b] = await Promise.all([retrieverOf(embedder), retrieverOf(back)]);
    const query = "embedding cache in redis";
    const [ra, rb] = await Promise.all([a.retrieve(query), b.retrieve(query)]);
    expect(rb.documents.map((d) => d.id)).toEqual(ra.documents.map((d) => d.id));
    rb.documents.forEach((d, i) => expect(d.score).toBeCloseTo(ra.documents[i]!.score, 6));
  });

  it("fromLangChainEmbeddings: normalize makes unit vectors; a declared dimension is checked", async () => {
    const lc = toLangChainEmbeddings(embedder);
    const scaled = new (class extends Embeddings {
      async embedDocuments(texts: string[]) {
        return (await lc.embedDocuments(texts)).map((v) => v.map((x) => x * 3));
      }
      async embedQuery(text: string) {
        return (await lc.embedQuery(text)).map((x) => x * 3);
      }
    })({});
    const unit = fromLangChainEmbeddings(scaled, { modelId: "scaled", dimensions: 384, normalize: true });
    expect(unit.normalized).toBe(true);
    const q = await unit.embedQuery("hello");
    expect(Math.hypot(...q)).toBeCloseTo(1, 5);
    expect(cosineSimilarity(q, await embedder.embedQuery("hello"))).toBeCloseTo(1, 5);

    const wrong = fromLangChainEmbeddings(lc, { modelId: embedder.modelId, dimensions: 768 });
    await expect(wrong.embedQuery("hello")).rejects.toBeInstanceOf(DimensionMismatchError);
  });

  it("reports a broken LangChain model as ServiceError (injected faults: NaN, missing vectors)", async () => {
    const lc = toLangChainEmbeddings(embedder);
    const broken = new (class extends Embeddings {
      async embedDocuments(texts: string[]) {
        return (await lc.embedDocuments(texts)).slice(1);
      }
      async embedQuery(text: string) {
        const v = await lc.embedQuery(text);
        v[5] = Number.NaN;
        return v;
      }
    })({});
    const e = fromLangChainEmbeddings(broken, { modelId: "broken", dimensions: 384 });
    await expect(e.embedDocuments(["a", "b"])).rejects.toBeInstanceOf(ServiceError);
    await expect(e.embedQuery("a")).rejects.toBeInstanceOf(ServiceError);
    expect(await e.embedDocuments([])).toEqual([]);
  });

  it("rejects with AbortError for an aborted signal, without calling the LangChain model", async () => {
    let calls = 0;
    const lc = toLangChainEmbeddings(embedder);
    const counting = new (class extends Embeddings {
      async embedDocuments(texts: string[]) {
        calls++;
        return lc.embedDocuments(texts);
      }
      async embedQuery(text: string) {
        calls++;
        return lc.embedQuery(text);
      }
    })({});
    const e = fromLangChainEmbeddings(counting, { modelId: embedder.modelId });
    const controller = new AbortController();
    controller.abort();
    await expect(e.embedQuery("a", { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    await expect(e.embedDocuments(["a"], { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(calls).toBe(0);
  });

  it("validates its options and inputs", async () => {
    const lc = toLangChainEmbeddings(embedder);
    expect(() => fromLangChainEmbeddings(lc, { modelId: "" })).toThrow(ValidationError);
    expect(() => fromLangChainEmbeddings(lc, { modelId: "m", dimensions: 1.5 })).toThrow(ValidationError);
    expect(() => fromLangChainEmbeddings({} as Embeddings, { modelId: "m" })).toThrow(ValidationError);
    expect(() => toLangChainEmbeddings({} as Embedder)).toThrow(ValidationError);
    const e = fromLangChainEmbeddings(lc, { modelId: "m" });
    await expect(e.embedDocuments("text" as unknown as string[])).rejects.toBeInstanceOf(ValidationError);
  });
});
