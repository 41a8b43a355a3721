import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VectorRecord, VectorStore } from "@ragloom/core";
import { createChromaVectorStore } from "@ragloom/core/chroma";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireModelDir, startChroma, stopAllServices } from "../../../test/services.js";
import { writeCorpus } from "../../loaders/test/fixtures.js";
import { createBackup, listBackups, openBackup } from "../src/index.js";
import { ragloom, ragloomJson } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "ragloom-backup-"));
const previousCwd = process.cwd();
let chromaUrl: string;

beforeAll(async () => {
  process.env.RAGLOOM_MODEL_DIR = requireModelDir();
  chromaUrl = (await startChroma()).url;
  await writeCorpus(join(work, "docs"));
  process.chdir(work);
});
afterAll(async () => {
  process.chdir(previousCwd);
  rmSync(work, { recursive: true, force: true });
  await stopAllServices();
});

interface QueryOut {
  results: Array<{ id: string; score: number; source: string }>;
}
const QUESTIONS = ["what happens when a circuit breaker is open?", "BM25 ranking parameters k1 and b"];
async function answers(...flags: string[]) {
  const out: Array<Array<{ id: string; score: number }>> = [];
  for (const q of QUESTIONS) {
    const r = await ragloomJson<QueryOut>("query", q, "-k", "5", ...flags);
    out.push(r.results.map(({ id, score }) => ({ id, score })));
  }
  return out;
}
function expectSameResults(a: Awaited<ReturnType<typeof answers>>, b: Awaited<ReturnType<typeof answers>>) {
  expect(b.map((list) => list.map((r) => r.id))).toEqual(a.map((list) => list.map((r) => r.id)));
  a.flat().forEach((r, i) => expect(b.flat()[i]!.score).toBeCloseTo(r.score, 4));
}

describe("backup and restore", () => {
  const backups = join(work, "backups");

  it("round-trips memory → Chroma → memory with identical query results", { timeout: 240_000 }, async () => {
    const indexed = await ragloomJson<{ added: string[] }>("index", "docs");
    expect(indexed.added).toHaveLength(4);
    const original = await answers();
    const originalLexical = await answers("--mode", "lexical");
    expect(original[1]![0]!.id).toMatch(/^docs\/papers\/handbook\.pdf[@#]/);

    const first = await ragloomJson<{
      path: string;
      manifest: { counts: { records: number; documents: number } };
    }>("backup", "--out", backups);
    expect(first.manifest.counts.documents).toBe(4);
    expect(Object.keys((first.manifest as unknown as { files: object }).files).sort()).toEqual([
      "bm25.bin",
      "catalog.json",
      "index.json",
      "records.jsonl",
      "vectors.f32",
    ]);
    const toChroma = await ragloom(
      "restore",
      first.path,
      "--store",
      "chroma",
      "--chroma-url",
      chromaUrl,
      "-c",
      "migrated",
    );
    expect(toChroma.stderr).toBe("");
    expect(toChroma.stdout).toMatch(/Restored \d+ records into "migrated" \(chroma\).*verified/);
    expectSameResults(original, await answers("-c", "migrated"));
    expectSameResults(originalLexical, await answers("-c", "migrated", "--mode", "lexical"));
    const stats = await ragloomJson<{ store: string; chunks: number; files: number }>(
      "stats",
      "-c",
      "migrated",
    );
    expect(stats).toMatchObject({ store: "chroma", chunks: first.manifest.counts.records, files: 4 });

    const fromChroma = await ragloomJson<{ path: string; manifest: { source: { store: string } } }>(
      "backup",
      "-c",
      "migrated",
      "--out",
      backups,
      "--archive",
    );
    expect(fromChroma.path).toMatch(/migrated-\d{8}T\d{9}Z\.tar\.gz$/);
    expect(fromChroma.manifest.source.store).toBe("chroma");
    expect((await ragloom("restore", fromChroma.path, "-c", "back")).code).toBe(0);
    expectSameResults(original, await answers("-c", "back"));
    expectSameResults(originalLexical, await answers("-c", "back", "--mode", "lexical"));
    expect(existsSync(join(work, ".ragloom", "back", "bm25.bin"))).toBe(true);

    // the restored index keeps its catalog: re-indexing the folder embeds nothing
    const again = await ragloomJson<{ unchanged: number; added: string[] }>("index", "docs", "-c", "back");
    expect(again).toMatchObject({ unchanged: 4, added: [] });
  });

  it("refuses to restore into a collection that is not empty, and a tampered backup", async () => {
    const [latest] = await listBackups(backups, "default");
    const busy = await ragloom("restore", latest!.path, "-c", "default");
    expect(busy.code).toBe(2);
    expect(busy.stderr.trim().split("\n")).toHaveLength(1);
    expect(busy.stderr).toMatch(/already has an index/);
    // Chroma collection with records but no local index
    const occupied = await ragloom(
      "restore",
      latest!.path,
      "--store",
      "chroma",
      "--chroma-url",
      chromaUrl,
      "-c",
      "migrated",
      "--dir",
      join(work, "other"),
    );
    expect(occupied.code).toBe(2);
    expect(occupied.stderr).toMatch(/not empty/);

    const tampered = join(work, "tampered");
    rmSync(tampered, { recursive: true, force: true });
    await import("node:fs/promises").then((fs) => fs.cp(latest!.path, tampered, { recursive: true }));
    const records = join(tampered, "records.jsonl");
    const text = (await import("node:fs")).readFileSync(records, "utf8");
    writeFileSync(records, text.replace("circuit breaker", "circuit brEaker"));
    const bad = await ragloom("restore", tampered, "-c", "never");
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^ragloom: error: .*records\.jsonl: checksum mismatch/);
    expect(existsSync(join(work, ".ragloom", "never", "index.json"))).toBe(false);
  });

  it("keeps the N newest backups, and an interrupted backup leaves the previous ones intact", async () => {
    const out = join(work, "retention");
    for (let i = 0; i < 3; i++) expect((await ragloom("backup", "--out", out, "--keep", "2")).code).toBe(0);
    const kept = await listBackups(out, "default");
    expect(kept).toHaveLength(2);
    const before = readdirSync(out).sort();

    // a store that fails halfway through the copy
    const { InMemoryVectorStore } = await import("@ragloom/core");
    const source = await InMemoryVectorStore.load(join(work, ".ragloom", "default", "vectors.bin"));
    let calls = 0;
    const failing: VectorStore = Object.assign(Object.create(source) as VectorStore, {
      async get(ids: string[]): Promise<VectorRecord[]> {
        if (++calls === 2) throw new Error("disk unplugged");
        return source.get(ids);
      },
    });
    await expect(
      createBackup(failing, { out, collection: "default", model: { id: "m" }, keep: 1, pageSize: 5 }),
    ).rejects.toThrow(/disk unplugged/);
    expect(readdirSync(out).sort()).toEqual(before);
    for (const b of kept) expect((await openBackup(b.path)).manifest.counts.records).toBeGreaterThan(0);
    expect((await ragloom("backup", "--out", out, "--keep", "0")).code).toBe(2);
  });
});

describe("backup of a live Chroma collection", () => {
  it("holds every write acknowledged before consistentAsOf, each document whole at one version", async () => {
    const dims = 8;
    const store = await createChromaVectorStore({ url: chromaUrl, collection: "live", dimensions: dims });
    const vector = (seed: number) =>
      Float32Array.from({ length: dims }, (_, i) => Math.sin(seed * 7 + i) + 1.5);
    const doc = (n: number, version: number): VectorRecord[] =>
      [0, 1, 2].map((c) => ({
        id: `doc-${n}#${c}`,
        text: `document ${n} chunk ${c} version ${version}`,
        metadata: { parentId: `doc-${n}`, sha256: `v${version}`, chunkIndex: c },
        vector: vector(n * 10 + c + version),
      }));
    for (let n = 0; n < 300; n += 50)
      await store.upsert(Array.from({ length: 50 }, (_, i) => doc(n + i, 0)).flat());
    // a writer adds new documents and rewrites old ones while the backup runs
    const acked = new Map<string, { version: number; at: number }>();
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop && i < 60; i++) {
        const n = i % 2 === 0 ? 300 + i : i;
        const version = i + 1;
        await store.upsert(doc(n, version));
        acked.set(`doc-${n}`, { version, at: Date.now() });
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    const result = await createBackup(store, {
      out: join(work, "live-backups"),
      collection: "live",
      model: { id: "test" },
      pageSize: 100,
      maxPasses: 10_000, // until a pass finds the collection quiet: the writer stops after 60 writes
    });
    stop = true;
    await writer;
    const m = result.manifest;
    expect(m.consistency.quiet).toBe(true);
    const asOf = Date.parse(m.consistentAsOf);
    const { readBackupRecords } = await import("../src/index.js");
    const opened = await openBackup(result.path);
    const docs = new Map<string, Set<string>>();
    const chunks = new Map<string, number>();
    for await (const batch of readBackupRecords(opened.dir, opened.manifest, 100)) {
      for (const r of batch) {
        const p = String(r.metadata.parentId);
        docs.set(p, (docs.get(p) ?? new Set()).add(String(r.metadata.sha256)));
        chunks.set(p, (chunks.get(p) ?? 0) + 1);
      }
    }
    for (const [p, versions] of docs) {
      expect(versions.size, `${p} mixes versions`).toBe(1);
      expect(chunks.get(p), `${p} is incomplete`).toBe(3);
    }
    for (const [p, { version, at }] of acked) {
      if (at >= asOf) continue;
      expect(docs.has(p), `${p} acknowledged before ${m.consistentAsOf}`).toBe(true);
      expect(Number(String([...docs.get(p)!][0]).slice(1))).toBeGreaterThanOrEqual(version);
    }
    expect(m.counts.records).toBe([...chunks.values()].reduce((a, b) => a + b, 0));
  });
});
