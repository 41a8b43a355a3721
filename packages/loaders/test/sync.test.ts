import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRetriever, type Embedder, InMemoryVectorStore, type VectorStore } from "@ragloom/core";
import { createChromaVectorStore } from "@ragloom/core/chroma";
import { createTransformersEmbedder } from "@ragloom/core/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireModelDir, startChroma, stopAllServices } from "../../../test/services.js";
import { type Catalog, StructureAwareSplitter, syncDirectories } from "../src/index.js";
import { writeBadFiles, writeCorpus } from "./fixtures.js";

let embedder: Embedder & { countTokens(t: string): number };
/** Texts embedded by `embedDocuments`, to prove what was (not) re-embedded. */
const embedded: string[] = [];
let chromaUrl: string;

beforeAll(async () => {
  const real = await createTransformersEmbedder({
    localModelPath: requireModelDir(),
    offline: true,
    dtype: "q8",
  });
  embedder = {
    modelId: real.modelId,
    dimensions: real.dimensions,
    normalized: real.normalized,
    countTokens: (t) => real.countTokens(t),
    embedQuery: (t, o) => real.embedQuery(t, o),
    async embedDocuments(texts, o) {
      embedded.push(...texts);
      return real.embedDocuments(texts, o);
    },
  };
  chromaUrl = (await startChroma()).url;
});
afterAll(() => stopAllServices());

const stores: Record<string, () => Promise<VectorStore>> = {
  memory: async () => new InMemoryVectorStore({ dimensions: embedder.dimensions }),
  chroma: () =>
    createChromaVectorStore({
      url: chromaUrl,
      collection: `sync_${Date.now()}`,
      dimensions: embedder.dimensions,
    }),
};

describe.each(Object.keys(stores))("incremental indexing of a real folder (%s store)", (kind) => {
  const root = mkdtempSync(join(tmpdir(), `ragloom-sync-${kind}-`));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("indexes Markdown, HTML and PDF, then re-embeds only edited and added files and deletes removed ones", async () => {
    await writeCorpus(root);
    writeBadFiles(root);
    const store = await stores[kind]!();
    const make = () =>
      createRetriever({
        embedder,
        store,
        lexical: true,
        splitter: new StructureAwareSplitter({
          chunkSize: 120,
          chunkOverlap: 10,
          lengthFunction: embedder.countTokens,
        }),
      });
    let retriever = make();
    const sync = (catalog: Catalog) => syncDirectories([root], { writer: retriever, catalog, base: root });

    embedded.length = 0;
    const first = await sync({});
    expect(first.added.sort()).toEqual([
      "guide.md",
      "notes/todo.txt",
      "papers/handbook.pdf",
      "web/retries.html",
    ]);
    expect(first.warnings.map((w) => w.path).sort()).toEqual([
      "bad/binary.txt",
      "bad/corrupt.pdf",
      "bad/huge.txt",
      "bad/latin1.md",
    ]);
    expect(first.chunks).toBeGreaterThan(4);
    expect(await store.count()).toBe(first.chunks);
    const pdfHit = (await retriever.retrieve("BM25 lexical ranking parameters", { k: 1 })).documents[0]!;
    expect(pdfHit.metadata).toMatchObject({ source: "papers/handbook.pdf", page: 2, format: "pdf" });
    const mdHit = (await retriever.retrieve("what happens when the breaker is open", { k: 1, mode: "dense" }))
      .documents[0]!;
    expect(mdHit.metadata.section).toBe("Circuit breakers > States > Open");

    // a second run in a new process (a fresh retriever over the same store) embeds nothing
    retriever = make();
    for await (const page of store.scan!()) retriever.lexical!.add(page);
    embedded.length = 0;
    const second = await sync(first.catalog);
    expect(second.unchanged.length).toBe(4);
    expect(second.added.length + second.changed.length + second.removed.length).toBe(0);
    expect(embedded).toEqual([]);

    // edit one file, delete one, add one
    writeFileSync(
      join(root, "notes/todo.txt"),
      "Rotate the Kafka certificates before they expire in March.\n",
    );
    unlinkSync(join(root, "web/retries.html"));
    writeFileSync(
      join(root, "notes/new.md"),
      "# Bloom filters\n\nA Bloom filter answers set membership with false positives.\n",
    );
    embedded.length = 0;
    const third = await sync(second.catalog);
    expect(third.changed).toEqual(["notes/todo.txt"]);
    expect(third.added).toEqual(["notes/new.md"]);
    expect(third.removed).toEqual(["web/retries.html"]);
    expect(embedded.join("\n")).toContain("Kafka certificates");
    expect(embedded.join("\n")).toContain("Bloom filter");
    expect(embedded.join("\n")).not.toContain("circuit breaker"); // guide.md was not re-embedded
    expect(Object.keys(third.catalog).sort()).toEqual([
      "guide.md",
      "notes/new.md",
      "notes/todo.txt",
      "papers/handbook.pdf",
    ]);

    const all: string[] = [];
    for await (const page of store.scan!()) all.push(...page.map((d) => String(d.metadata.parentId)));
    expect(new Set(all)).toEqual(
      new Set(["guide.md", "notes/new.md", "notes/todo.txt", "papers/handbook.pdf"]),
    );
    const lexical = await retriever.retrieve("exponential backoff jitter", { k: 5, mode: "lexical" });
    expect(lexical.documents.some((d) => d.metadata.parentId === "web/retries.html")).toBe(false);
    const edited = await retriever.retrieve("Kafka certificates", { k: 1, mode: "lexical" });
    expect(edited.documents[0]!.metadata.parentId).toBe("notes/todo.txt");
    const redis = await retriever.retrieve("Redis credentials", { k: 3, mode: "lexical" });
    expect(redis.documents.some((d) => d.text.includes("Redis credentials"))).toBe(false);
  });
});
