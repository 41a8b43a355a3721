/**
 * Evaluation of one compressor for bench/compression.ts: words and tokens cut and gold evidence
 * sentences kept over a set of SciFact claims, each with its retrieved documents.
 */
import type { DocumentCompressor } from "@ragloom/compression";
import { wordTokenizer } from "@ragloom/compression";
import type { VectorHit } from "@ragloom/core";
import { percentile } from "./metrics.js";

/** A claim with, per gold document id, the indices of its evidence sentences. */
export interface EvidenceQuery {
  _id: string;
  text: string;
  metadata: Record<string, Array<{ sentences: number[]; label: string }>>;
}

/** One measured row: a compressor at one depth on one part of the claims. */
export interface Row {
  compressor: string;
  /** Documents per claim. */
  docs: number;
  split: "tune" | "held-out";
  claims: number;
  /** 1 - Σ words after / Σ words before. */
  wordReduction: number;
  tokenReduction: number;
  evidenceTotal: number;
  evidenceKept: number;
  /** Share of the gold evidence sentences of retrieved gold documents that survive. */
  evidenceRecall: number;
  /** Share of retrieved gold documents still present after compression. */
  goldDocsKept: number;
  p50Ms: number;
  p95Ms: number;
  /** Texts the compressor had the model embed (0 when everything came from the ingest-time cache). */
  modelCalls: number;
}

/** What {@link evaluate} reads: the retrieved documents, the gold sentences, counters. */
export interface EvalContext {
  retrieved: Map<string, VectorHit[]>;
  /** Sentence `i` of the abstract of document `id` (the indices of the evidence labels). */
  goldSentence: (id: string, i: number) => string;
  /** cl100k_base tokens of a text. */
  tokens: (text: string) => number;
  /** Texts embedded by the model so far. */
  modelCalls: () => number;
}

const norm = (s: string) => s.replace(/\s+/g, " ").trim();

/**
 * Runs `c` on the first `depth` retrieved documents of each claim. A gold sentence survives when
 * its text, whitespace-normalised, is contained in the compressed text of its document.
 */
export async function evaluate(
  ctx: EvalContext,
  c: DocumentCompressor,
  part: "tune" | "held-out",
  qs: EvidenceQuery[],
  depth: number,
): Promise<Row> {
  let wb = 0;
  let wa = 0;
  let tb = 0;
  let ta = 0;
  let evTotal = 0;
  let evKept = 0;
  let goldDocs = 0;
  let goldKept = 0;
  const ms: number[] = [];
  const before = ctx.modelCalls();
  const words = (text: string) => wordTokenizer.count(text);
  for (const q of qs) {
    const docs = ctx.retrieved.get(q._id)!.slice(0, depth);
    const start = performance.now();
    const out = await c.compress(docs, q.text);
    ms.push(performance.now() - start);
    for (const d of docs) {
      wb += words(d.text);
      tb += ctx.tokens(d.text);
    }
    for (const d of out) {
      wa += words(d.text);
      ta += ctx.tokens(d.text);
    }
    const kept = new Map(out.map((d) => [d.id, norm(d.text)]));
    for (const [docId, evidence] of Object.entries(q.metadata)) {
      if (!docs.some((d) => d.id === docId)) continue;
      goldDocs++;
      const text = kept.get(docId);
      if (text !== undefined) goldKept++;
      for (const i of new Set(evidence.flatMap((e) => e.sentences))) {
        evTotal++;
        if (text?.includes(norm(ctx.goldSentence(docId, i)))) evKept++;
      }
    }
  }
  return {
    compressor: c.name,
    docs: depth,
    split: part,
    claims: qs.length,
    wordReduction: 1 - wa / wb,
    tokenReduction: 1 - ta / tb,
    evidenceTotal: evTotal,
    evidenceKept: evKept,
    evidenceRecall: evKept / evTotal,
    goldDocsKept: goldKept / goldDocs,
    p50Ms: percentile(ms, 50),
    p95Ms: percentile(ms, 95),
    modelCalls: ctx.modelCalls() - before,
  };
}
