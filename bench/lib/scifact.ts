import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Document } from "@ragloom/core";
import { SCIFACT_DIR } from "../../test/services.js";
import type { Qrels } from "./metrics.js";

/** Where the BEIR SciFact data lives (see `test/services.ts`; `pnpm bench:data` fetches it). */
export { SCIFACT_DIR };

export interface SciFactQuery {
  id: string;
  text: string;
  /** doc id → { sentences: evidence sentence indices, label } */
  metadata?: Record<string, Array<{ sentences: number[]; label: string }>>;
}

function jsonl<T>(file: string): T[] {
  return readFileSync(join(SCIFACT_DIR, file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/** The corpus, each document indexed as `title + " " + text` (as BEIR does). */
export function loadCorpus(): Document[] {
  return jsonl<{ _id: string; title: string; text: string }>("corpus.jsonl").map((d) => ({
    id: d._id,
    text: `${d.title} ${d.text}`,
    metadata: { title: d.title },
  }));
}

/** Train-split queries (those with qrels). */
export function loadQueries(): SciFactQuery[] {
  return jsonl<{ _id: string; text: string; metadata?: SciFactQuery["metadata"] }>("queries.jsonl").map(
    (q) => ({
      id: q._id,
      text: q.text,
      metadata: q.metadata,
    }),
  );
}

/** Train qrels. */
export function loadQrels(): Qrels {
  const qrels: Qrels = new Map();
  const lines = readFileSync(join(SCIFACT_DIR, "qrels", "train.tsv"), "utf8")
    .split("\n")
    .slice(1);
  for (const line of lines) {
    const [qid, did, score] = line.trim().split("\t");
    if (!qid || !did) continue;
    if (!qrels.has(qid)) qrels.set(qid, new Map());
    qrels.get(qid)!.set(did, Number(score));
  }
  return qrels;
}
