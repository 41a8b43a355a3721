/**
 * Ingestion, backup and restore: indexing throughput of `@ragloom/loaders` on a real folder, and
 * backup/restore times and sizes of `@ragloom/cli` for BEIR SciFact's 5,183 abstracts.
 *
 *   pnpm tsx bench/ingest.ts [--files 300] [--dtype q8|fp32] [--vectors model|random]
 *
 * --vectors random  backs up seeded pseudo-random unit vectors instead of MiniLM embeddings of the
 *                   abstracts (same count, dimensions and bytes; backup and restore cost does not
 *                   depend on the values, gzip ratio aside), for machines too busy to embed 5,183
 *                   abstracts; the table says which was used
 *
 * 1. Indexing: the Markdown files (READMEs and docs, no changelogs or licences, at most 64 KiB)
 *    of the packages installed in node_modules, the first `--files` by path, copied into a temp
 *    folder; `syncDirectories` with the structure-aware splitter (200/20 MiniLM tokens) into an
 *    `InMemoryVectorStore` with BM25, the real all-MiniLM-L6-v2 on the CPU. Then a second run over
 *    the unchanged folder (hashing only), then one after editing 5% of the files.
 * 2. Backups: the 5,183 abstracts (`title + " " + text`, one record each, vectors from the same
 *    model, cached in $RAGLOOM_CACHE/bench) in an in-memory store; backup to a folder and to a
 *    .tar.gz; restore into a new in-memory store and into a real Chroma (test/services.ts);
 *    backup of that Chroma collection; restore of it into memory. Every backup and restore
 *    includes its verification (re-reading and hashing the files; count and digest after restore).
 */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createBackup, openBackup, restoreBackup } from "@ragloom/cli";
import { createRetriever, InMemoryVectorStore, type VectorRecord } from "@ragloom/core";
import { createChromaVectorStore } from "@ragloom/core/chroma";
import { StructureAwareSplitter, syncDirectories } from "@ragloom/loaders";
import { startChroma, stopAllServices } from "../test/services.js";
import { embedCached, loadMiniLM } from "./lib/embeddings.js";
import { printTable, timed, writeResults } from "./lib/report.js";
import { loadCorpus } from "./lib/scifact.js";

const { values: opts } = parseArgs({
  options: {
    files: { type: "string", default: "300" },
    dtype: { type: "string", default: "q8" },
    vectors: { type: "string", default: "model" },
  },
});
const dtype = opts.dtype as "q8" | "fp32";
const ROOT = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "ragloom-bench-ingest-"));
const mib = (bytes: number) => bytes / 1024 / 1024;

/** Markdown files of installed packages (README and docs/), deterministic. */
function packageMarkdown(limit: number): string[] {
  const store = join(ROOT, "node_modules", ".pnpm");
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < 3 && entry.name !== "node_modules" && !entry.name.startsWith(".")) walk(path, depth + 1);
      } else if (
        /\.md$/i.test(entry.name) &&
        !/change|history|licen[cs]e|notice|security/i.test(entry.name)
      ) {
        const size = statSync(path).size;
        if (size > 200 && size <= 64 * 1024) out.push(path);
      }
    }
  };
  for (const pkg of readdirSync(store).sort()) {
    const nm = join(store, pkg, "node_modules");
    let names: string[];
    try {
      names = readdirSync(nm);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const dirs = name.startsWith("@")
        ? readdirSync(join(nm, name)).map((s) => join(nm, name, s))
        : [join(nm, name)];
      for (const d of dirs) {
        try {
          if (statSync(d).isDirectory() && !statSync(d).isSymbolicLink()) walk(d, 0);
        } catch {
          // broken link
        }
      }
      if (out.length >= limit) return out.slice(0, limit);
    }
  }
  return out.slice(0, limit);
}

async function indexing() {
  const folder = join(work, "docs");
  const files = packageMarkdown(Number(opts.files));
  files.forEach((f, i) => {
    const target = join(folder, String(i).padStart(4, "0"), basename(dirname(f)), basename(f));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(f, target);
  });
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
  const embedder = await loadMiniLM(dtype);
  const store = new InMemoryVectorStore({ dimensions: embedder.dimensions });
  const retriever = createRetriever({
    embedder,
    store,
    lexical: true,
    splitter: new StructureAwareSplitter({
      chunkSize: 200,
      chunkOverlap: 20,
      lengthFunction: (t) => embedder.countTokens(t),
    }),
  });
  const [first, t1] = await timed(() => syncDirectories([folder], { writer: retriever, base: work }));
  const [second, t2] = await timed(() =>
    syncDirectories([folder], { writer: retriever, base: work, catalog: first.catalog }),
  );
  const edited = first.added.slice(0, Math.ceil(first.added.length / 20));
  for (const id of edited)
    writeFileSync(join(work, id), `${readFileSync(join(work, id), "utf8")}\n\nEdited for the benchmark.\n`);
  const [third, t3] = await timed(() =>
    syncDirectories([folder], { writer: retriever, base: work, catalog: second.catalog }),
  );
  await embedder.dispose?.();
  return {
    files: files.length,
    mib: mib(bytes),
    indexed: first.added.length,
    skipped: first.warnings.length,
    chunks: first.chunks,
    full: {
      seconds: t1 / 1000,
      filesPerSecond: first.added.length / (t1 / 1000),
      chunksPerSecond: first.chunks / (t1 / 1000),
    },
    unchanged: {
      seconds: t2 / 1000,
      filesPerSecond: second.unchanged.length / (t2 / 1000),
      embedded: second.chunks,
    },
    edited: { files: third.changed.length, seconds: t3 / 1000, chunks: third.chunks },
  };
}

async function backups() {
  const docs = loadCorpus();
  let vectors: Float32Array[];
  let dimensions = 384;
  if (opts.vectors === "random") {
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648 - 0.5;
    };
    vectors = docs.map(() => {
      const v = Float32Array.from({ length: dimensions }, next);
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    });
  } else {
    const embedder = await loadMiniLM(dtype);
    vectors = await embedCached(
      embedder,
      docs.map((d) => d.text),
      `${dtype}-whole`,
      (done, total) => process.stderr.write(`\r  embedding SciFact ${done}/${total}`),
    );
    process.stderr.write("\n");
    dimensions = embedder.dimensions;
    await embedder.dispose?.();
  }
  const records: VectorRecord[] = docs.map((d, i) => ({
    id: d.id,
    text: d.text,
    metadata: { ...d.metadata, parentId: d.id },
    vector: vectors[i]!,
  }));
  const source = new InMemoryVectorStore({ dimensions });
  await source.upsert(records);
  const out = join(work, "backups");
  const model = { id: "Xenova/all-MiniLM-L6-v2", dtype };
  const rows: Array<Record<string, string | number>> = [];
  const row = (step: string, ms: number, bytes?: number, extra = "") =>
    rows.push({ step, seconds: ms / 1000, MiB: bytes === undefined ? "" : mib(bytes), notes: extra });

  const [dir, tDir] = await timed(() => createBackup(source, { out, collection: "scifact", model }));
  row(
    "backup memory → folder",
    tDir,
    dir.bytes,
    `${dir.manifest.counts.records} records, ${dir.manifest.consistency.passes} passes`,
  );
  const [tgz, tTgz] = await timed(() =>
    createBackup(source, { out, collection: "scifact", model, archive: true }),
  );
  row("backup memory → .tar.gz", tTgz, tgz.bytes);
  const [memCopy, tMem] = await timed(async () => {
    const backup = await openBackup(dir.path);
    const store = new InMemoryVectorStore({ dimensions });
    await restoreBackup(backup, store);
    return store;
  });
  row("restore folder → memory", tMem, undefined, `${memCopy.size} records, verified`);
  const [, tArchive] = await timed(async () => {
    const backup = await openBackup(tgz.path);
    try {
      await restoreBackup(backup, new InMemoryVectorStore({ dimensions }));
    } finally {
      await backup.close();
    }
  });
  row("restore .tar.gz → memory", tArchive, undefined, "includes extraction");
  const chroma = await startChroma();
  try {
    const target = await createChromaVectorStore({ url: chroma.url, collection: "scifact", dimensions });
    const [, tChroma] = await timed(async () =>
      restoreBackup(await openBackup(dir.path), target, { batchSize: 1000 }),
    );
    row("restore folder → Chroma", tChroma, undefined, `${await target.count()} records, verified`);
    const [fromChroma, tFromChroma] = await timed(() =>
      createBackup(target, { out, collection: "scifact-chroma", model, pageSize: 1000 }),
    );
    row(
      "backup Chroma → folder",
      tFromChroma,
      fromChroma.bytes,
      `${fromChroma.manifest.consistency.passes} passes (idle)`,
    );
    const [, tBack] = await timed(async () =>
      restoreBackup(await openBackup(fromChroma.path), new InMemoryVectorStore({ dimensions })),
    );
    row("restore Chroma backup → memory", tBack);
  } finally {
    await stopAllServices();
  }
  return { documents: docs.length, dimensions, vectors: opts.vectors, rows };
}

const ingest = await indexing();
console.log(
  `\nIndexing ${ingest.files} Markdown files of installed packages (${ingest.mib.toFixed(1)} MiB), MiniLM ${dtype}, 2 shared cores`,
);
printTable([
  {
    run: "full index",
    files: ingest.indexed,
    chunks: ingest.chunks,
    seconds: ingest.full.seconds,
    "files/s": ingest.full.filesPerSecond,
    "chunks/s": ingest.full.chunksPerSecond,
  },
  {
    run: "unchanged (hash only)",
    files: ingest.files - ingest.skipped,
    chunks: ingest.unchanged.embedded,
    seconds: ingest.unchanged.seconds,
    "files/s": ingest.unchanged.filesPerSecond,
    "chunks/s": "",
  },
  {
    run: "5% edited",
    files: ingest.edited.files,
    chunks: ingest.edited.chunks,
    seconds: ingest.edited.seconds,
    "files/s": ingest.edited.files / ingest.edited.seconds,
    "chunks/s": ingest.edited.chunks / ingest.edited.seconds,
  },
]);
const backup = await backups();
console.log(
  `\nBackup and restore, SciFact ${backup.documents} abstracts (${backup.dimensions}-d), with verification`,
);
printTable(backup.rows);
const file = writeResults("ingest", {
  date: new Date().toISOString(),
  dtype,
  indexing: ingest,
  backups: backup,
});
console.log(`\nwrote ${file}`);
rmSync(work, { recursive: true, force: true });
