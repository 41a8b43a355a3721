import {
  type CallOptions,
  type Document,
  ServiceError,
  type VectorRecord,
  type VectorStore,
} from "@ragloom/core";
import { createTransformersEmbedder } from "@ragloom/core/transformers";
import { requireModelDir } from "../../../test/services.js";
import { collectKeys, type DocStore, type ManifestStore } from "../src/index.js";

/** The real all-MiniLM-L6-v2 (int8, offline) from the local model folder. */
export async function loadEmbedder() {
  return createTransformersEmbedder({ localModelPath: requireModelDir(), offline: true, dtype: "q8" });
}

/** Three real multi-paragraph documents on different topics. */
export const DOCS: Document[] = [
  {
    id: "eiffel",
    metadata: { topic: "travel", year: 2020 },
    text: [
      "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris. It is named after the engineer Gustave Eiffel, whose company designed and built the tower.",
      "The tower is 330 metres tall, about the same height as an 81-storey building, and the tallest structure in Paris. Its base is square, measuring 125 metres on each side.",
      "Locals at first criticised the design, but it has become a global cultural icon of France. Nearly seven million people visit the tower every year.",
    ].join("\n\n"),
  },
  {
    id: "photosynthesis",
    metadata: { topic: "biology", year: 2021 },
    text: [
      "Photosynthesis is the process by which green plants and some other organisms use sunlight to synthesise foods from carbon dioxide and water.",
      "In plants it takes place in the chloroplasts, which contain the green pigment chlorophyll. Oxygen is released as a by-product of the light reactions.",
      "The Calvin cycle then fixes carbon dioxide into sugars, using the energy stored in ATP and NADPH during the light-dependent reactions.",
    ].join("\n\n"),
  },
  {
    id: "redis",
    metadata: { topic: "software", year: 2022 },
    text: [
      "Redis is an in-memory key-value database, used as a cache, message broker and streaming engine. It was created by Salvatore Sanfilippo in 2009.",
      "Redis keeps its dataset in memory and can persist it to disk with snapshots or an append-only file. Replication is asynchronous.",
      "Transactions group commands with MULTI and EXEC, so that all of them run without other clients' commands in between.",
    ].join("\n\n"),
  },
];

/** Counts calls to the real store's methods and can make one write fail halfway through. */
export interface FaultPlan {
  /** 1-based number of the `upsert` call that fails after writing the first half of its records. */
  failUpsertCall?: number;
  /** 1-based number of the `delete` call that fails before deleting anything. */
  failDeleteCall?: number;
  /** Every `delete` call from this one on fails (a store that stays down). */
  failDeletesFrom?: number;
}

/**
 * Wraps a real vector store so that a chosen write fails halfway: it writes half of the batch to
 * the real store, then throws a ServiceError, like a connection lost mid-request.
 */
export function faultyVectorStore(inner: VectorStore, plan: FaultPlan) {
  const calls = { upsert: 0, delete: 0 };
  const store: VectorStore = {
    kind: inner.kind,
    count: (o) => inner.count(o),
    query: (v, o) => inner.query(v, o),
    get: (ids, o) => inner.get(ids, o),
    async upsert(records: VectorRecord[], o?: CallOptions) {
      calls.upsert++;
      if (calls.upsert === plan.failUpsertCall) {
        await inner.upsert(records.slice(0, Math.ceil(records.length / 2)), o);
        throw new ServiceError(inner.kind, "connection lost during upsert (injected)");
      }
      return inner.upsert(records, o);
    },
    async delete(ids: string[], o?: CallOptions) {
      calls.delete++;
      if (
        calls.delete === plan.failDeleteCall ||
        (plan.failDeletesFrom && calls.delete >= plan.failDeletesFrom)
      ) {
        throw new ServiceError(inner.kind, "delete failed (injected)");
      }
      return inner.delete(ids, o);
    },
  };
  return { store, calls, plan };
}

/** Wraps a real docstore so that the chosen `mset` call writes half of its documents, then throws. */
export function faultyDocStore(inner: DocStore, plan: { failMsetCall?: number }) {
  const calls = { mset: 0 };
  const store: DocStore = {
    kind: inner.kind,
    mget: (ids, o) => inner.mget(ids, o),
    mdelete: (ids, o) => inner.mdelete(ids, o),
    keys: (o) => inner.keys(o),
    async mset(documents, o) {
      calls.mset++;
      if (calls.mset === plan.failMsetCall) {
        await inner.mset(documents.slice(0, Math.ceil(documents.length / 2)), o);
        throw new ServiceError(inner.kind, "connection lost during mset (injected)");
      }
      return inner.mset(documents, o);
    },
  };
  return { store, calls, plan };
}

/**
 * Checks that the stores hold exactly the chunks the committed manifests list: no orphan child
 * in the vector store, no orphan parent in the docstore, nothing committed missing.
 */
export async function expectConsistent(
  childIds: string[],
  docStore: DocStore,
  manifests: ManifestStore,
): Promise<{ parents: string[]; children: string[] }> {
  const sources: string[] = [];
  for await (const id of manifests.sourceIds()) sources.push(id);
  const ms = await manifests.getMany(sources);
  const parents = ms.flatMap((m) => m.committed?.parentIds ?? []).sort();
  const children = ms.flatMap((m) => m.committed?.childIds ?? []).sort();
  const dirty = ms.filter((m) => m.pending || m.garbage.parentIds.length || m.garbage.childIds.length);
  const storedParents = (await collectKeys(docStore)).filter((k) => !k.startsWith(manifests.prefix)).sort();
  const problems: string[] = [];
  if (dirty.length) problems.push(`dirty manifests: ${dirty.map((m) => m.sourceId).join(", ")}`);
  if (JSON.stringify(storedParents) !== JSON.stringify(parents)) {
    problems.push(
      `docstore parents ${JSON.stringify(storedParents)} != committed ${JSON.stringify(parents)}`,
    );
  }
  if (JSON.stringify([...childIds].sort()) !== JSON.stringify(children)) {
    problems.push(
      `vector store children ${JSON.stringify([...childIds].sort())} != committed ${JSON.stringify(children)}`,
    );
  }
  if (problems.length) throw new Error(`stores are inconsistent:\n${problems.join("\n")}`);
  return { parents, children };
}
