/**
 * Measures the default `--min-similarity` of ask-the-docs: the best dense cosine similarity
 * (all-MiniLM-L6-v2, fp32, chunks of 200 tokens as the example indexes) of questions that have a
 * relevant document in the index versus questions from another domain.
 *
 *   related:    SciFact train claims that have qrels, over a SciFact sample that holds their
 *               relevant abstracts plus distractors (the first `--claims` claims by id, and
 *               `--docs` abstracts in all: the sample keeps the run to minutes on a laptop CPU)
 *   unrelated:  the `description` of every package in node_modules/.pnpm (software), over the same
 *               SciFact sample, and all SciFact train claims (biomedicine) over the example's own
 *               English docs index (the saved in-memory index of `pnpm example`)
 *
 * It prints percentiles of each distribution and the threshold with the best balanced accuracy
 * (Youden's J = true-positive rate − false-positive rate, maximised over all cut points).
 *
 *   pnpm exec tsx examples/ask-the-docs/calibrate-threshold.ts [--scifact DIR] [--claims 300] [--docs 1000]
 *
 * SciFact (BEIR, https://github.com/beir-cellar/beir) is read from `--scifact` (a folder with
 * corpus.jsonl, queries.jsonl and qrels/train.tsv), default `$RAGLOOM_SCIFACT_DIR`. The SciFact
 * index is saved under the state folder so that a rerun does not embed the corpus again.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createRetriever, type Document, type HybridRetriever, InMemoryVectorStore } from "@ragloom/core";
import { parseCli } from "./cli.js";
import { detectLanguage } from "./language.js";
import { openIndex } from "./open-index.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const { values } = parseArgs({
  options: {
    scifact: { type: "string", default: process.env.RAGLOOM_SCIFACT_DIR },
    claims: { type: "string", default: "300" },
    docs: { type: "string", default: "1000" },
  },
});
if (!values.scifact) throw new Error("pass --scifact DIR (or set RAGLOOM_SCIFACT_DIR)");
const scifact = values.scifact;

const jsonl = <T>(file: string): T[] =>
  readFileSync(join(scifact, file), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);

/** Package descriptions from the pnpm store: generic software-domain queries, deduplicated. */
function packageDescriptions(): string[] {
  const store = join(ROOT, "node_modules", ".pnpm");
  const out = new Set<string>();
  for (const entry of readdirSync(store)) {
    const nm = join(store, entry, "node_modules");
    if (!existsSync(nm)) continue;
    for (const name of readdirSync(nm)) {
      const dirs = name.startsWith("@")
        ? readdirSync(join(nm, name)).map((s) => join(nm, name, s))
        : [join(nm, name)];
      for (const dir of dirs) {
        const file = join(dir, "package.json");
        if (!existsSync(file)) continue;
        const description = (JSON.parse(readFileSync(file, "utf8")) as { description?: unknown }).description;
        if (typeof description === "string" && description.length >= 20) out.add(description.trim());
      }
    }
  }
  return [...out].filter((d) => detectLanguage(d.repeat(2)) === "en").sort();
}

async function best(retriever: HybridRetriever, queries: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const q of queries) {
    const { documents } = await retriever.retrieve(q, { mode: "dense", k: 1 });
    out.push(documents[0]?.score ?? -1);
  }
  return out;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round((p / 100) * (s.length - 1))))]!;
};

/** The cut point (rounded to 0.01) with the largest TPR − FPR, with its rates. */
function youden(related: number[], unrelated: number[]) {
  let top = { threshold: 0, tpr: 0, fpr: 0, j: -1 };
  for (let t = -0.2; t <= 1; t += 0.01) {
    const threshold = Math.round(t * 100) / 100;
    const tpr = related.filter((s) => s >= threshold).length / related.length;
    const fpr = unrelated.filter((s) => s >= threshold).length / unrelated.length;
    if (tpr - fpr > top.j) top = { threshold, tpr, fpr, j: tpr - fpr };
  }
  return top;
}

const parsed = parseCli([]);
if (parsed.kind !== "run") process.exit(parsed.code);
const { embedder, retriever: docsRetriever } = await openIndex(parsed.options);

// SciFact train claims with qrels, and a sample of the corpus holding the relevant abstracts of the first ones
const qrels = new Map<string, Set<string>>();
for (const line of readFileSync(join(scifact, "qrels", "train.tsv"), "utf8")
  .split("\n")
  .slice(1)) {
  const [qid, did] = line.trim().split("\t");
  if (qid && did) qrels.set(qid, (qrels.get(qid) ?? new Set()).add(did));
}
const claims = jsonl<{ _id: string; text: string }>("queries.jsonl").filter((q) => qrels.has(q._id));
const sampled = [...claims].sort((a, b) => Number(a._id) - Number(b._id)).slice(0, Number(values.claims));
const relevant = new Set(sampled.flatMap((q) => [...qrels.get(q._id)!]));
const corpus: Document[] = jsonl<{ _id: string; title: string; text: string }>("corpus.jsonl").map((d) => ({
  id: d._id,
  text: `${d.title} ${d.text}`,
  metadata: {},
}));
const others = corpus.filter((d) => !relevant.has(d.id));
const stride = Math.max(1, Math.floor(others.length / Math.max(1, Number(values.docs) - relevant.size)));
const sample = [
  ...corpus.filter((d) => relevant.has(d.id)),
  ...others.filter((_, i) => i % stride === 0).slice(0, Math.max(0, Number(values.docs) - relevant.size)),
];

// indexed with the example's chunking (the retriever's default splitter)
const scifactFile = join(
  parsed.options.stateDir,
  "calibration",
  `scifact-${values.claims}-${values.docs}.bin`,
);
const store = existsSync(scifactFile)
  ? await InMemoryVectorStore.load(scifactFile)
  : new InMemoryVectorStore({ dimensions: embedder.dimensions });
const sciRetriever = createRetriever({ embedder, store, k: 1 });
if (!existsSync(scifactFile)) {
  console.log(
    `Embedding ${sample.length} SciFact abstracts (${relevant.size} relevant to ${sampled.length} claims)…`,
  );
  await sciRetriever.add(sample);
  mkdirSync(dirname(scifactFile), { recursive: true });
  await store.save(scifactFile);
}

const descriptions = packageDescriptions();

const related = await best(
  sciRetriever,
  sampled.map((q) => q.text),
);
const unrelatedSci = await best(sciRetriever, descriptions);
const unrelatedDocs = await best(
  docsRetriever,
  claims.map((q) => q.text),
);
const unrelated = [...unrelatedSci, ...unrelatedDocs];

const row = (name: string, xs: number[]) =>
  `| ${name} | ${xs.length} | ${[5, 25, 50, 75, 95].map((p) => percentile(xs, p).toFixed(3)).join(" | ")} |`;
console.log(
  "\n| best dense cosine | n | p5 | p25 | p50 | p75 | p95 |\n| --- | --- | --- | --- | --- | --- | --- |",
);
console.log(row("related: SciFact claims → SciFact sample", related));
console.log(row("unrelated: package descriptions → SciFact sample", unrelatedSci));
console.log(row("unrelated: SciFact claims → ask-the-docs index", unrelatedDocs));
const y = youden(related, unrelated);
console.log(
  `\nbest balanced accuracy at ${y.threshold.toFixed(2)}: keeps ${(y.tpr * 100).toFixed(1)}% of related questions, ` +
    `flags ${((1 - y.fpr) * 100).toFixed(1)}% of unrelated ones as "no good match"`,
);
await embedder.dispose?.();
process.stdout.write("", () => process.exit(0));
