import {
  type CallOptions,
  type Document,
  type EventTarget,
  emitEvent,
  type Filter,
  type RetrievalResult,
  type RetrieveOptions,
  type Retriever,
  type ScoredDocument,
  throwIfAborted,
  ValidationError,
  type VectorHit,
} from "@ragloom/core";
import { createIndexer, type IndexerOptions } from "./indexer.js";
import { aggregate, type ChildScore, type ParentScoring, scoreSummary } from "./scoring.js";

export type { AddOptions, AddResult } from "./indexer.js";

/** What `retrieve` returns: parents, the matching children, or auto-merged chunks. */
export type RetrievalMode = "parents" | "children" | "auto-merge";

/** Options of {@link createParentDocumentRetriever} (besides the stores, embedder and splitter). */
export interface ParentDocumentRetrieverOptions extends IndexerOptions {
  /** Results returned by `retrieve`. @default 4 */
  k?: number;
  /** Child chunks fetched from the vector store before grouping. @default max(20, 5 * k) */
  childK?: number;
  /** @default "parents" */
  mode?: RetrievalMode;
  /** How a parent is scored from its children's scores; see {@link ParentScoring}. @default "max" */
  scoring?: ParentScoring;
  /**
   * Level of the parents returned in `parents` mode (0 = the largest). @default the level just
   * above the leaves (`splitter.depth - 2`)
   */
  parentLevel?: number;
  /**
   * Auto-merging threshold: a parent replaces its retrieved children when more than this fraction
   * of its children were retrieved (LlamaIndex `AutoMergingRetriever`'s `simple_ratio_thresh`,
   * whose default is also 0.5, compared with `>`). In (0, 1]. @default 0.5
   */
  autoMergeRatio?: number;
  /**
   * Receives `retrieve:start`, `retrieve:end` (with timings), `retrieve:error` and
   * `ingest:progress` (source documents done of total) events (an `EventBus` from `@ragloom/core`). @default none
   */
  events?: EventTarget;
}

/** Per-call options of {@link ParentDocumentRetriever.retrieve}. */
export interface ParentRetrieveOptions extends RetrieveOptions {
  /** Overrides the retriever's `childK`. */
  childK?: number;
  /** Overrides the retriever's `mode`. */
  mode?: RetrievalMode;
  /** Overrides the retriever's `scoring`. */
  scoring?: ParentScoring;
  /** Overrides the retriever's `parentLevel`. */
  parentLevel?: number;
  /** Overrides the retriever's `autoMergeRatio`. */
  autoMergeRatio?: number;
}

/**
 * A retrieved chunk (a parent, a merged parent or a leaf). `score` is the aggregate
 * (`max` or `sum`, see {@link ParentScoring}) of the cosine similarities of the retrieved leaf
 * chunks under it; for a leaf it is its own cosine similarity in [-1, 1].
 */
export interface RetrievedChunk extends ScoredDocument {
  /** The retrieved leaf chunks under this result, best first (for a leaf: itself). */
  children: ChildScore[];
  /** Both aggregates, whatever `scoring` ranked by. */
  scores: { max: number; sum: number };
}

/** The result of {@link ParentDocumentRetriever.retrieve}. */
export interface ParentRetrievalResult extends RetrievalResult {
  documents: RetrievedChunk[];
}

/** A {@link Retriever} over parent/child chunks, with its write side. */
export interface ParentDocumentRetriever extends Retriever {
  /**
   * Splits documents, stores parents in the docstore and embeds the leaf children into the vector
   * store, in batches, following the write protocol of {@link createIndexer}. Idempotent by id:
   * a document whose text, metadata and splitter settings are unchanged is skipped, a changed one
   * replaces its previous version. Ids must be unique within one call.
   * @throws ValidationError for malformed documents; the store's or embedder's error (after rolling back) on failure.
   */
  add(
    documents: Document[],
    options?: import("./indexer.js").AddOptions,
  ): Promise<import("./indexer.js").AddResult>;
  /** Replaces one source document's parents and children (a no-op if its content is unchanged). */
  update(document: Document, options?: CallOptions): Promise<import("./indexer.js").AddResult>;
  /** Removes a source document's parents and children everywhere; false if it was not indexed. */
  delete(documentId: string, options?: CallOptions): Promise<boolean>;
  /** Finishes writes that failed and could not be rolled back; returns how many documents it cleaned. */
  repair(options?: CallOptions): Promise<number>;
  retrieve(query: string, options?: ParentRetrieveOptions): Promise<ParentRetrievalResult>;
}

interface Node {
  doc: Document;
  level: number;
  children: ChildScore[];
}

/**
 * Creates a parent-document retriever ("small-to-big" retrieval): search small child chunks,
 * return the larger parents they came from (LangChain's `ParentDocumentRetriever`), the children
 * themselves, or auto-merged results (LlamaIndex's `AutoMergingRetriever`): walking up from the
 * leaves, a parent replaces its retrieved children when more than `autoMergeRatio` of its children
 * were retrieved, recursively across levels.
 *
 * The vector store holds the leaves (with their chunk metadata and a copy of the source metadata,
 * so `filter` works on source attributes and is passed through to the vector store); the docstore
 * holds the parents of every level and one manifest per source document.
 * @throws ValidationError for bad options.
 */
export function createParentDocumentRetriever(
  options: ParentDocumentRetrieverOptions,
): ParentDocumentRetriever {
  for (const key of ["vectorStore", "docStore", "embedder", "splitter"] as const) {
    if (!options?.[key]) throw new ValidationError(`${key} is required`);
  }
  const { vectorStore, docStore, embedder, splitter } = options;
  const indexer = createIndexer(options);
  const warn = options.onWarning ?? ((m: string) => console.warn(`[ragloom] ${m}`));
  const leafLevel = splitter.depth - 1;
  const defaults = {
    k: options.k ?? 4,
    childK: options.childK,
    mode: options.mode ?? "parents",
    scoring: options.scoring ?? "max",
    parentLevel: options.parentLevel ?? leafLevel - 1,
    autoMergeRatio: options.autoMergeRatio ?? 0.5,
  };
  check(defaults);

  function check(o: {
    k: number;
    childK?: number;
    mode: RetrievalMode;
    scoring: ParentScoring;
    parentLevel: number;
    autoMergeRatio: number;
  }) {
    if (!(Number.isInteger(o.k) && o.k >= 1))
      throw new ValidationError(`k must be a positive integer, got ${o.k}`);
    if (o.childK !== undefined && !(Number.isInteger(o.childK) && o.childK >= 1)) {
      throw new ValidationError(`childK must be a positive integer, got ${o.childK}`);
    }
    if (!["parents", "children", "auto-merge"].includes(o.mode))
      throw new ValidationError(`unknown mode "${o.mode}"`);
    if (!["max", "sum"].includes(o.scoring)) throw new ValidationError(`unknown scoring "${o.scoring}"`);
    if (!(Number.isInteger(o.parentLevel) && o.parentLevel >= 0 && o.parentLevel < leafLevel)) {
      throw new ValidationError(
        `parentLevel must be an integer in [0, ${leafLevel - 1}], got ${o.parentLevel}`,
      );
    }
    if (!(o.autoMergeRatio > 0 && o.autoMergeRatio <= 1)) {
      throw new ValidationError(`autoMergeRatio must be in (0, 1], got ${o.autoMergeRatio}`);
    }
  }

  /** Parents by id from the docstore; a missing one is reported (it should not happen, see the write protocol). */
  async function fetch(ids: string[], signal?: AbortSignal): Promise<Map<string, Document>> {
    const docs = await docStore.mget(ids, { signal });
    const out = new Map<string, Document>();
    docs.forEach((d, i) => {
      if (d) out.set(ids[i]!, d);
      else warn(`parent "${ids[i]}" is missing from the docstore; its children are dropped from the results`);
    });
    return out;
  }

  const toResult = (n: Node, scoring: ParentScoring): RetrievedChunk => {
    const children = [...n.children].sort((a, b) => b.score - a.score);
    return {
      ...n.doc,
      score: aggregate(
        children.map((c) => c.score),
        scoring,
      ),
      children,
      scores: scoreSummary(children),
    };
  };

  /** Groups leaf hits under their ancestors at `level`, walking up through the docstore. */
  async function groupAt(hits: VectorHit[], level: number, signal?: AbortSignal): Promise<Node[]> {
    // leaf id → current ancestor id
    let current = hits.map((h) => ({
      child: { id: h.id, score: h.score },
      ancestor: h.metadata.parentId as string,
    }));
    let docs = new Map<string, Document>();
    for (let l = leafLevel - 1; l >= level; l--) {
      const ids = [...new Set(current.map((c) => c.ancestor).filter((id) => id !== undefined))];
      docs = await fetch(ids, signal);
      current = current.filter((c) => docs.has(c.ancestor));
      if (l > level)
        current = current.map((c) => ({ ...c, ancestor: docs.get(c.ancestor)!.metadata.parentId as string }));
    }
    const nodes = new Map<string, Node>();
    for (const c of current) {
      let node = nodes.get(c.ancestor);
      if (!node) {
        node = { doc: docs.get(c.ancestor)!, level, children: [] };
        nodes.set(c.ancestor, node);
      }
      node.children.push(c.child);
    }
    return [...nodes.values()];
  }

  /**
   * LlamaIndex-style auto-merging, bottom-up one level at a time. At level L, the retrieved
   * chunks are grouped by parent; a parent with more than `ratio` of its children present replaces
   * them. Unlike LlamaIndex, the merged parent also absorbs any remaining deeper chunks under it
   * (chunks whose own parent did not merge), so no result ever contains another.
   */
  async function autoMerge(hits: VectorHit[], ratio: number, signal?: AbortSignal): Promise<Node[]> {
    const parentOf = new Map<string, string>();
    let nodes: Node[] = hits.map((h) => {
      if (typeof h.metadata.parentId === "string") parentOf.set(h.id, h.metadata.parentId);
      return {
        doc: { id: h.id, text: h.text, metadata: h.metadata },
        level: leafLevel,
        children: [{ id: h.id, score: h.score }],
      };
    });
    const isUnder = (id: string, ancestor: string) => {
      for (let p = parentOf.get(id); p !== undefined; p = parentOf.get(p)) if (p === ancestor) return true;
      return false;
    };
    for (let level = leafLevel; level >= 1; level--) {
      const groups = new Map<string, Node[]>();
      for (const n of nodes) {
        const pid = parentOf.get(n.doc.id);
        if (n.level === level && pid !== undefined) groups.set(pid, [...(groups.get(pid) ?? []), n]);
      }
      if (groups.size === 0) continue;
      const parents = await fetch([...groups.keys()], signal);
      for (const [id, parent] of parents) {
        if (typeof parent.metadata.parentId === "string") parentOf.set(id, parent.metadata.parentId);
      }
      const merged: Node[] = [];
      for (const [pid, group] of groups) {
        const parent = parents.get(pid);
        const total = Number(parent?.metadata.childCount);
        if (!parent || !(total > 0)) continue;
        if (new Set(group.map((n) => n.doc.id)).size / total > ratio)
          merged.push({ doc: parent, level: level - 1, children: [] });
      }
      if (merged.length === 0) continue;
      const kept: Node[] = [];
      for (const n of nodes) {
        const into = merged.find((m) => isUnder(n.doc.id, m.doc.id));
        if (into) into.children.push(...n.children);
        else kept.push(n);
      }
      nodes = [...kept, ...merged];
    }
    return nodes;
  }

  const retriever: ParentDocumentRetriever = {
    add: (documents, addOptions = {}) =>
      indexer.add(documents, {
        ...addOptions,
        onProgress: (done, total) => {
          emitEvent(options.events, "ingest:progress", { done, total });
          addOptions.onProgress?.(done, total);
        },
      }),
    update: (document, callOptions) => indexer.add([document], callOptions),
    delete: (documentId, callOptions) => indexer.delete(documentId, callOptions),
    repair: (callOptions) => indexer.repair(callOptions),

    async retrieve(query, callOptions = {}) {
      const k = callOptions.k ?? defaults.k;
      const mode = callOptions.mode ?? defaults.mode;
      emitEvent(options.events, "retrieve:start", { query, k, mode });
      try {
        const result = await retrieveImpl(query, callOptions);
        emitEvent(options.events, "retrieve:end", {
          query,
          k,
          mode,
          count: result.documents.length,
          timings: result.timings,
        });
        return result;
      } catch (error) {
        emitEvent(options.events, "retrieve:error", { query, error });
        throw error;
      }
    },
  };

  async function retrieveImpl(
    query: string,
    callOptions: ParentRetrieveOptions,
  ): Promise<ParentRetrievalResult> {
    const t0 = performance.now();
    if (typeof query !== "string" || query.trim().length === 0)
      throw new ValidationError("query must be a non-empty string");
    const o = {
      k: callOptions.k ?? defaults.k,
      childK: callOptions.childK ?? defaults.childK,
      mode: callOptions.mode ?? defaults.mode,
      scoring: callOptions.scoring ?? defaults.scoring,
      parentLevel: callOptions.parentLevel ?? defaults.parentLevel,
      autoMergeRatio: callOptions.autoMergeRatio ?? defaults.autoMergeRatio,
    };
    check(o);
    const childK = o.childK ?? (o.mode === "children" ? o.k : Math.max(20, 5 * o.k));
    const { signal } = callOptions;
    throwIfAborted(signal);
    const timings: Record<string, number> = {};
    let t = performance.now();
    const vector = await embedder.embedQuery(query, { signal });
    timings.embed = performance.now() - t;
    t = performance.now();
    const hits = await vectorStore.query(vector, {
      k: childK,
      filter: callOptions.filter as Filter | null,
      signal,
    });
    timings.search = performance.now() - t;
    t = performance.now();
    let nodes: Node[];
    if (o.mode === "children") {
      nodes = hits.map((h) => ({
        doc: { id: h.id, text: h.text, metadata: h.metadata },
        level: leafLevel,
        children: [{ id: h.id, score: h.score }],
      }));
    } else if (o.mode === "parents") {
      nodes = await groupAt(hits, o.parentLevel, signal);
    } else {
      nodes = await autoMerge(hits, o.autoMergeRatio, signal);
    }
    timings.docstore = performance.now() - t;
    // best first; ties: the better best child, then the order of first appearance
    const results = nodes
      .map((n) => toResult(n, o.scoring))
      .sort((a, b) => b.score - a.score || b.scores.max - a.scores.max)
      .slice(0, o.k);
    timings.total = performance.now() - t0;
    return {
      documents: results,
      timings,
      info: {
        mode: o.mode,
        scoring: o.scoring,
        childHits: hits.length,
        merged:
          o.mode === "auto-merge" ? results.filter((r) => r.metadata.level !== leafLevel).length : undefined,
        characters: results.reduce((s, r) => s + r.text.length, 0),
      },
    };
  }
  return retriever;
}
