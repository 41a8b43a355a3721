import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { DocumentInterface } from "@langchain/core/documents";
import { Document as LangChainDocument } from "@langchain/core/documents";
import { BaseRetriever } from "@langchain/core/retrievers";
import {
  AbortError,
  F,
  FilterError,
  type HybridRetriever,
  type RetrieveOptions,
  type Retriever,
  ValidationError,
} from "@ragloom/core";
import { beforeAll, describe, expect, it } from "vitest";
import { RAGLOOM_RETRIEVAL_EVENT, RagloomRetriever, toLangChainRetriever } from "../src/index.js";
import { corpusRetriever } from "./fixtures.js";

/** Records the callbacks LangChain fires, awaited so that they are complete when `invoke` returns. */
class Recorder extends BaseCallbackHandler {
  name = "recorder";
  override awaitHandlers = true;
  events: Array<{ type: string; runId: string; parentRunId?: string; data?: unknown }> = [];
  override async handleRetrieverStart(
    _retriever: unknown,
    query: string,
    runId: string,
    parentRunId?: string,
  ): Promise<void> {
    this.events.push({ type: "start", runId, parentRunId, data: query });
  }
  override async handleRetrieverEnd(documents: DocumentInterface[], runId: string): Promise<void> {
    this.events.push({ type: "end", runId, data: documents });
  }
  override async handleRetrieverError(error: unknown, runId: string): Promise<void> {
    this.events.push({ type: "error", runId, data: error });
  }
  override async handleCustomEvent(name: string, data: unknown, runId: string): Promise<void> {
    this.events.push({ type: `custom:${name}`, runId, data });
  }
}

/** Delegates to a real retriever and records the options of each call. */
function spy<R extends Retriever>(inner: R): R & { calls: RetrieveOptions[] } {
  const calls: RetrieveOptions[] = [];
  const retrieve = (query: string, options?: RetrieveOptions) => {
    calls.push({ ...options });
    return inner.retrieve(query, options);
  };
  return { calls, retrieve } as unknown as R & { calls: RetrieveOptions[] };
}

describe("toLangChainRetriever over a real ragloom retriever (MiniLM, in-memory store)", () => {
  let ragloom: HybridRetriever;
  beforeAll(async () => {
    ragloom = await corpusRetriever({ k: 4 });
  });

  it("is a LangChain BaseRetriever returning Documents with ragloom's ids, scores and metadata, best first", async () => {
    const retriever = toLangChainRetriever(ragloom);
    expect(retriever).toBeInstanceOf(BaseRetriever);
    expect(retriever).toBeInstanceOf(RagloomRetriever);
    expect(retriever.lc_namespace).toEqual(["ragloom", "retrievers"]);
    expect(retriever.getName()).toBe("RagloomRetriever");

    const query = "how do I retry a request that failed?";
    const docs = await retriever.invoke(query);
    const direct = await ragloom.retrieve(query);
    expect(docs).toHaveLength(4);
    expect(docs.map((d) => d.id)).toEqual(direct.documents.map((d) => d.id));
    docs.forEach((doc, i) => {
      const hit = direct.documents[i]!;
      expect(doc).toBeInstanceOf(LangChainDocument);
      expect(doc.pageContent).toBe(hit.text);
      expect(doc.metadata).toEqual({ ...hit.metadata, id: hit.id, score: hit.score });
      expect(doc.metadata.parentId).toBe(hit.id.split("@")[0]);
    });
    const scores = docs.map((d) => d.metadata.score as number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(docs[0]!.metadata.parentId).toBe("retry");
  });

  it("passes k: the adapter's default, then one call's configurable.ragloom.k, then withConfig", async () => {
    const inner = spy(ragloom);
    const retriever = toLangChainRetriever(inner, { k: 3 });
    expect(await retriever.invoke("caching embeddings")).toHaveLength(3);
    expect(
      await retriever.invoke("caching embeddings", { configurable: { ragloom: { k: 1 } } }),
    ).toHaveLength(1);
    const bound = retriever.withConfig({ configurable: { ragloom: { k: 5 } } });
    expect(await bound.invoke("caching embeddings")).toHaveLength(5);
    expect(inner.calls.map((c) => c.k)).toEqual([3, 1, 5]);
    // without any k the ragloom retriever's own default (4) applies
    expect(await toLangChainRetriever(ragloom).invoke("caching embeddings")).toHaveLength(4);
  });

  it("passes the filter IR: a default filter, a call's filter replacing it, and null clearing it", async () => {
    const inner = spy(ragloom);
    const retriever = toLangChainRetriever(inner, { k: 6, filter: F.eq("lang", "de") });
    const german = await retriever.invoke("retry with backoff");
    expect(german.map((d) => d.metadata.parentId)).toEqual(["wiederholen"]);

    const recent = F.and(F.eq("topic", "http"), F.gte("year", 2024));
    const http = await retriever.invoke("retry with backoff", {
      configurable: { ragloom: { filter: recent } },
    });
    expect(http.map((d) => d.metadata.parentId).sort()).toEqual(["timeout", "wiederholen"]);
    for (const d of http) expect(d.metadata).toMatchObject({ topic: "http" });

    const all = await retriever.invoke("retry with backoff", { configurable: { ragloom: { filter: null } } });
    expect(all).toHaveLength(6);
    expect(inner.calls.map((c) => c.filter)).toEqual([F.eq("lang", "de"), recent, null]);

    const tagged = await retriever.invoke("anything", {
      configurable: { ragloom: { filter: F.contains("tags", "redis") } },
    });
    expect(tagged.map((d) => d.metadata.parentId)).toEqual(["cache"]);

    await expect(
      retriever.invoke("x", { configurable: { ragloom: { filter: { op: "near", field: "lang" } } } }),
    ).rejects.toBeInstanceOf(FilterError);
  });

  it("passes other ragloom options (retrieveOptions and per call) and refuses a non-object configurable.ragloom", async () => {
    const inner = spy(ragloom);
    const retriever = toLangChainRetriever(inner, { retrieveOptions: { mode: "dense", candidates: 20 } });
    await retriever.invoke("bm25 ranking", { configurable: { ragloom: { candidates: 7 } } });
    expect(inner.calls[0]).toMatchObject({ mode: "dense", candidates: 7 });
    await expect(retriever.invoke("bm25", { configurable: { ragloom: 3 } })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it("fires handleRetrieverStart, the ragloom_retrieval custom event and handleRetrieverEnd on one run", async () => {
    const recorder = new Recorder();
    const retriever = toLangChainRetriever(ragloom, { k: 2 });
    const docs = await retriever.invoke("split documents into chunks", { callbacks: [recorder] });
    expect(recorder.events.map((e) => e.type)).toEqual(["start", `custom:${RAGLOOM_RETRIEVAL_EVENT}`, "end"]);
    const [start, custom, end] = recorder.events;
    expect(start!.data).toBe("split documents into chunks");
    expect(new Set(recorder.events.map((e) => e.runId)).size).toBe(1);
    expect(custom!.data).toMatchObject({
      count: 2,
      timings: { embed: expect.any(Number), total: expect.any(Number) },
    });
    expect(end!.data).toEqual(docs);

    // constructor callbacks fire too
    const constructed = new Recorder();
    await toLangChainRetriever(ragloom, { callbacks: [constructed] }).invoke("bm25");
    expect(constructed.events.map((e) => e.type)).toContain("end");
  });

  it("streamEvents (v2) reports the retriever run and the ragloom_retrieval event", async () => {
    const retriever = toLangChainRetriever(ragloom, { k: 2 });
    const seen: Array<{ event: string; name: string; data: unknown }> = [];
    for await (const e of retriever.streamEvents("exponential backoff", { version: "v2" }))
      seen.push({ event: e.event, name: e.name, data: e.data });
    expect(seen.map((e) => e.event)).toEqual(["on_retriever_start", "on_custom_event", "on_retriever_end"]);
    expect(seen[1]).toMatchObject({ name: RAGLOOM_RETRIEVAL_EVENT, data: { count: 2 } });
    const output = (seen[2]!.data as { output: DocumentInterface[] }).output;
    expect(output.map((d) => d.metadata.parentId)).toContain("retry");
  });

  it("fires handleRetrieverError with ragloom's error for a bad k", async () => {
    const recorder = new Recorder();
    const retriever = toLangChainRetriever(ragloom);
    await expect(
      retriever.invoke("retry", { callbacks: [recorder], configurable: { ragloom: { k: 0 } } }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(recorder.events.map((e) => e.type)).toEqual(["start", "error"]);
    expect(recorder.events[1]!.data).toBeInstanceOf(ValidationError);
  });

  it("passes the signal to ragloom and rejects with AbortError when it is already aborted", async () => {
    const inner = spy(ragloom);
    const retriever = toLangChainRetriever(inner);
    const controller = new AbortController();
    await retriever.invoke("retry", { signal: controller.signal });
    expect(inner.calls[0]!.signal).toBe(controller.signal);

    controller.abort();
    const recorder = new Recorder();
    await expect(
      retriever.invoke("retry", { signal: controller.signal, callbacks: [recorder] }),
    ).rejects.toBeInstanceOf(AbortError);
    expect(inner.calls).toHaveLength(1);
    expect(recorder.events.map((e) => e.type)).toEqual(["start", "error"]);
  });

  it("rejects promptly when aborted mid-call, even when the ragloom retriever hangs and ignores the signal", async () => {
    // fault injection: a backend that never answers
    const hung: Retriever = { retrieve: () => new Promise(() => {}) };
    const retriever = toLangChainRetriever(hung);
    const controller = new AbortController();
    const reason = new Error("user left");
    setTimeout(() => controller.abort(reason), 30);
    const started = performance.now();
    const error = await retriever.invoke("retry", { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).message).toContain("user left");
    expect((error as AbortError).cause).toBe(reason);
    expect(performance.now() - started).toBeLessThan(2000);

    // LangChain's timeout becomes a signal too
    await expect(retriever.invoke("retry", { timeout: 30 })).rejects.toBeInstanceOf(AbortError);
  });

  it("keeps concurrent calls' options apart (batch with per-input configs)", async () => {
    const retriever = toLangChainRetriever(ragloom);
    const [one, three] = await retriever.batch(
      ["retry", "cache embeddings in Redis"],
      [{ configurable: { ragloom: { k: 1 } } }, { configurable: { ragloom: { k: 3 } } }],
    );
    expect(one).toHaveLength(1);
    expect(three).toHaveLength(3);
    expect(three![0]!.metadata.parentId).toBe("cache");
  });

  it("refuses what is not a ragloom retriever", () => {
    expect(() => toLangChainRetriever({} as Retriever)).toThrow(ValidationError);
  });
});
