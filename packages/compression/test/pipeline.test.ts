import { createRetriever, InMemoryVectorStore, ValidationError } from "@ragloom/core";
import type { TransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type CompressionInfo,
  type CompressionWarning,
  createEmbeddingsFilter,
  createRedundancyFilter,
  createSentenceExtractor,
  createTokenBudget,
  type DocumentCompressor,
  loadTiktokenTokenizer,
  pipeline,
  withCompression,
  wordTokenizer,
} from "../src/index.js";
import { DOCS, isOrderedSubset, loadEmbedder, QUERY } from "./fixtures.js";

let embedder: TransformersEmbedder;
beforeAll(async () => {
  embedder = await loadEmbedder();
});
afterAll(async () => {
  await embedder.dispose?.();
});

/** Ten documents: the fixtures plus variations, with distinctive metadata. */
const corpus = [
  ...DOCS,
  ...DOCS.map((d, i) => ({
    ...d,
    id: `${d.id}-${i}`,
    text: `${d.text} Added note ${i}: this copy was revised in ${2000 + i}.`,
    metadata: { ...d.metadata, copy: i },
  })),
  {
    id: "louvre",
    score: 0.5,
    metadata: { source: "wiki", tags: ["museum", "paris"] },
    text: "The Louvre is the world's most-visited museum. It houses the Mona Lisa.",
  },
];

describe("pipeline", () => {
  it("keeps input order, ids and metadata through every stage", async () => {
    const tokenizer = await loadTiktokenTokenizer("cl100k_base");
    const c = pipeline(
      createRedundancyFilter({ embedder, threshold: 0.99 }),
      createEmbeddingsFilter({ embedder, similarityThreshold: 0 }),
      createSentenceExtractor({ embedder, select: { by: "fraction", fraction: 0.6 } }),
      createTokenBudget({ maxTokens: 120, tokenizer, onWarning: () => {} }),
    );
    expect(c.name).toMatch(/^pipeline\(redundancy-filter.*→.*token-budget/);
    const out = await c.compress(corpus, QUERY);
    expect(out.length).toBeGreaterThan(0);
    const positions = out.map((d) => corpus.findIndex((x) => x.id === d.id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    for (const d of out) {
      const orig = corpus.find((x) => x.id === d.id)!;
      expect(d.metadata).toEqual(orig.metadata);
      expect(d.score).toBe(orig.score);
      expect(isOrderedSubset(orig.text, d.text)).toBe(true);
    }
    expect(out.reduce((s, d) => s + tokenizer.count(d.text), 0)).toBeLessThanOrEqual(120);
  });

  it("needs at least one stage", () => {
    expect(() => pipeline()).toThrow(ValidationError);
    expect(() => pipeline({ onWarning: () => {} })).toThrow(ValidationError);
  });

  it("passes its onWarning down to stages without one: nothing reaches console.warn", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const got: CompressionWarning[] = [];
      const own: CompressionWarning[] = [];
      const c = pipeline(
        createTokenBudget({ maxTokens: 4, tokenizer: wordTokenizer }),
        createTokenBudget({ maxTokens: 4, tokenizer: wordTokenizer, onWarning: (w) => own.push(w) }),
        { onWarning: (w) => got.push(w) },
      );
      const long = [{ ...DOCS[2]!, text: `${DOCS[2]!.text} Pears are a pome fruit of temperate regions.` }];
      await c.compress(long, QUERY);
      expect(got.map((w) => w.code)).toContain("budget-too-small");
      expect(got.every((w) => w.compressor.startsWith("token-budget"))).toBe(true);
      expect(warn).not.toHaveBeenCalled();
      // a call's own handler wins over the pipeline's
      const call: CompressionWarning[] = [];
      got.length = 0;
      await c.compress(long, QUERY, { onWarning: (w) => call.push(w) });
      expect(call.length).toBeGreaterThan(0);
      expect(got).toHaveLength(0);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe("withCompression", () => {
  it("returns a retriever whose results report tokens before and after", async () => {
    const store = new InMemoryVectorStore({ dimensions: embedder.dimensions });
    const retriever = createRetriever({ embedder, store, splitter: false, k: 5 });
    await retriever.add(corpus.map(({ score: _s, ...d }) => d));
    const compressed = withCompression(
      retriever,
      createSentenceExtractor({ embedder, select: { by: "count", count: 1 }, scope: "document" }),
    );
    const plain = await retriever.retrieve(QUERY, { k: 5 });
    const res = await compressed.retrieve(QUERY, { k: 5 });
    const info = res.info!.compression as CompressionInfo;
    const tok = wordTokenizer;
    expect(info.tokenizer).toBe("words");
    expect(info.tokensBefore).toBe(plain.documents.reduce((s, d) => s + tok.count(d.text), 0));
    expect(info.tokensAfter).toBe(res.documents.reduce((s, d) => s + tok.count(d.text), 0));
    expect(info.tokensAfter).toBeLessThan(info.tokensBefore);
    expect(info.reduction).toBeCloseTo(1 - info.tokensAfter / info.tokensBefore, 10);
    expect(info.documentsBefore).toBe(5);
    expect(res.documents.map((d) => d.id)).toEqual(plain.documents.map((d) => d.id));
    expect(res.documents.map((d) => d.metadata)).toEqual(plain.documents.map((d) => d.metadata));
    expect(res.timings.compress).toBeGreaterThanOrEqual(0);
    expect(res.timings.total).toBeGreaterThanOrEqual(res.timings.compress!);
    const cl100k = await loadTiktokenTokenizer("cl100k_base");
    const counted = withCompression(
      retriever,
      createSentenceExtractor({ embedder, select: { by: "count", count: 1 }, scope: "document" }),
      { tokenizer: cl100k },
    );
    const tiktoken = (await counted.retrieve(QUERY, { k: 5 })).info!.compression as CompressionInfo;
    expect(tiktoken.tokenizer).toBe("tiktoken:cl100k_base");
    expect(tiktoken.tokensBefore).toBe(plain.documents.reduce((s, d) => s + cl100k.count(d.text), 0));
  });

  it("hands the compressor the stored vectors and its onWarning, and returns no vectors unasked", async () => {
    const store = new InMemoryVectorStore({ dimensions: embedder.dimensions });
    const retriever = createRetriever({ embedder, store, splitter: false, k: 3 });
    await retriever.add(corpus.map(({ score: _s, ...d }) => d));
    const seen: Array<Array<Float32Array | number[] | undefined>> = [];
    const warnings: CompressionWarning[] = [];
    const probe: DocumentCompressor = {
      name: "probe",
      async compress(documents, _query, opts = {}) {
        seen.push(documents.map((d) => d.vector));
        opts.onWarning?.({ compressor: "probe", code: "budget-too-small", message: "probe" });
        return documents;
      },
    };
    const compressed = withCompression(retriever, probe, { onWarning: (w) => warnings.push(w) });
    const res = await compressed.retrieve(QUERY);
    expect(seen[0]).toHaveLength(3);
    expect(seen[0]!.every((v) => v?.length === embedder.dimensions)).toBe(true);
    expect(res.documents.every((d) => !("vector" in d))).toBe(true);
    expect(warnings.map((w) => w.compressor)).toEqual(["probe"]);
    const asked = await compressed.retrieve(QUERY, { includeVectors: true });
    expect(asked.documents.every((d) => (d as { vector?: unknown }).vector !== undefined)).toBe(true);
    const off = withCompression(retriever, probe, { includeVectors: false });
    await off.retrieve(QUERY);
    expect(seen[2]!.every((v) => v === undefined)).toBe(true);
  });
});
