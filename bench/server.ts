/**
 * Load test of @ragloom/server's `POST /v1/query` on SciFact train (5,183 abstracts, 809 queries,
 * hybrid dense + BM25 with the default fusion (z-score convex combination), k = 10, the real all-MiniLM-L6-v2 fp32 embedding every query),
 * from a second process (autocannon, bench/lib/load-client.ts) on loopback, with API-key auth and
 * rate limiting in a real Redis. Variants: query-embedding cache off and on (warmed by one pass
 * over the queries), each at the target load (1,000 requests/minute) and at saturation; the result
 * cache is off so that every request retrieves. Baseline: `GET /health/live` (no auth, no I/O) on
 * the same server at saturation, measured in the same run; the table gives each variant's
 * throughput and latency as ratios to it, which stay comparable on a loaded machine.
 * Run: nice -n 10 pnpm tsx bench/server.ts [--profile] [--cache on|off|both]
 *   (writes bench/results/server.json; `--profile` also samples the server's CPU during the
 *   cache-on saturation phase with the V8 profiler and prints self time by area and function)
 */
import { spawn } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { InMemoryVectorStore } from "@ragloom/core";
import { createLogger, hashApiKey, type RunningHttpServer, startHttpServer } from "@ragloom/server";
import { REPO_ROOT, startRedis, stopAllServices } from "../test/services.js";
import { type CpuProfile, saveProfile, startProfile, summarise } from "./lib/cpu-profile.js";
import { embedCached, loadMiniLM } from "./lib/embeddings.js";
import { printTable, writeResults } from "./lib/report.js";
import { loadCorpus, loadQueries } from "./lib/scifact.js";

const K = 10;
const TARGET_PER_MINUTE = 1000;
const TARGET_SECONDS = Number(process.env.BENCH_TARGET_SECONDS ?? 30);
const SATURATION_SECONDS = Number(process.env.BENCH_SATURATION_SECONDS ?? 20);
const SATURATION_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const KEY = "rgl_bench_key_000000000000000000000000000";
const argv = process.argv.slice(2);
const PROFILE = argv.includes("--profile");
const cacheArg = argv.includes("--cache") ? argv[argv.indexOf("--cache") + 1] : "both";
if (!["on", "off", "both"].includes(cacheArg ?? ""))
  throw new Error(`--cache takes on, off or both, not ${cacheArg}`);
const VARIANTS = cacheArg === "both" ? [false, true] : [cacheArg === "on"];

const loadStart = loadavg()[0];
const corpus = loadCorpus();
const queries = loadQueries().map((q) => q.text);
console.log(`SciFact train: ${corpus.length} documents, ${queries.length} queries, k=${K}`);
const minilm = await loadMiniLM("fp32");
const vectors = await embedCached(
  minilm,
  corpus.map((d) => d.text),
  "fp32",
  (a, b) => process.stdout.write(`\rembedding corpus ${a}/${b}`),
);
const redis = await startRedis();

/** Runs the load client in its own process and returns its JSON report. */
function load(
  url: string,
  opts: { durationSeconds: number; connections: number; overallRate?: number; getPath?: string },
) {
  return new Promise<Record<string, number | Record<string, number>>>((resolve, reject) => {
    const child = spawn(
      join(REPO_ROOT, "node_modules", ".bin", "tsx"),
      [
        join(import.meta.dirname, "lib", "load-client.ts"),
        JSON.stringify({ url, key: KEY, queries, k: K, ...opts }),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim())) : reject(new Error(`load client exited ${code}`)),
    );
  });
}

async function serve(embeddingCache: boolean): Promise<RunningHttpServer> {
  // the corpus is stored whole (one chunk per abstract) with the vectors computed once above
  const store = new InMemoryVectorStore({ dimensions: 384 });
  await store.upsert(
    corpus.map((d, i) => ({ ...d, metadata: { ...d.metadata, parentId: d.id }, vector: vectors[i]! })),
  );
  return startHttpServer({
    embedder: minilm,
    stores: { scifact: store },
    logger: createLogger("warn"),
    config: {
      port: 0,
      redis: { url: redis.url },
      embeddingCache,
      rateLimit: { points: 1_000_000, durationSeconds: 60 },
      apiKeys: [{ id: "bench", sha256: hashApiKey(KEY), collections: ["*"], permissions: ["read"] }],
      collections: [
        { name: "scifact", mode: "hybrid", k: K, split: false, cache: { enabled: false, ttlMs: 0 } },
      ],
    },
  });
}

const rows: Array<Record<string, string | number>> = [];
const runs: Record<string, unknown> = {};
let profileSummary: ReturnType<typeof summarise> | undefined;
let profileFile: string | undefined;
const ratio = (x: number, base: number) => Math.round((100 * x) / base) / 100;
for (const embeddingCache of VARIANTS) {
  const server = await serve(embeddingCache);
  const name = `query-embedding cache ${embeddingCache ? "on" : "off"}`;
  // warm-up: JIT, model, and (cache on) every query's embedding in L1 and Redis
  const warm = embeddingCache ? queries : queries.slice(0, 50);
  for (const query of warm) {
    const res = await fetch(`${server.url}/v1/query`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ query, k: K }),
    });
    if (res.status !== 200) throw new Error(`warm-up query answered ${res.status}: ${await res.text()}`);
  }
  const saturation = { durationSeconds: SATURATION_SECONDS, connections: SATURATION_CONNECTIONS };
  process.stdout.write(`\n${name}, baseline GET /health/live at saturation ...`);
  const base = await load(server.url, { ...saturation, getPath: "/health/live" });
  runs[`${name} / baseline /health/live`] = { ...saturation, ...base };
  const baseRow = (r: typeof base) => ({
    "req/s": Number(r.requestsPerSecond),
    "p50 ms": Number(r.p50),
    "p95 ms": Number(r.p95),
    "p99 ms": Number(r.p99),
    requests: Number(r.requests),
    errors: Number(r.non2xx) + Number(r.errors) + Number(r.timeouts),
  });
  rows.push({
    variant: name,
    load: "baseline /health/live, saturation",
    ...baseRow(base),
    "÷ base req/s": 1,
    "× base p50": 1,
    "× base p95": 1,
  });
  for (const [loadName, opts] of [
    [
      `${TARGET_PER_MINUTE}/min`,
      { durationSeconds: TARGET_SECONDS, connections: 4, overallRate: Math.round(TARGET_PER_MINUTE / 60) },
    ],
    ["saturation", saturation],
  ] as const) {
    process.stdout.write(`\n${name}, ${loadName} ...`);
    const profiling =
      PROFILE && embeddingCache && loadName === "saturation" ? await startProfile() : undefined;
    const r = await load(server.url, opts);
    if (profiling) {
      const profile: CpuProfile = await profiling.stop();
      profileFile = saveProfile(profile, join(tmpdir(), `ragloom-server-${Date.now()}.cpuprofile`));
      profileSummary = summarise(profile);
    }
    runs[`${name} / ${loadName}`] = { ...opts, ...r };
    const row = baseRow(r);
    rows.push({
      variant: name,
      load: loadName,
      ...row,
      "÷ base req/s": ratio(row["req/s"], Number(base.requestsPerSecond)),
      "× base p50": ratio(row["p50 ms"], Number(base.p50)),
      "× base p95": ratio(row["p95 ms"], Number(base.p95)),
    });
  }
  await server.close();
}
console.log("\n");
printTable(rows);
if (profileSummary) {
  console.log(`\nCPU profile of the server process, cache on, saturation (${profileFile}):`);
  printTable(profileSummary.areas.slice(0, 15));
  printTable(profileSummary.functions);
}
const file = writeResults("server", {
  date: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model,
    node: process.version,
    // other processes share the cores: the 1-minute load average before and after the run
    loadAverage: { start: loadStart, end: loadavg()[0] },
  },
  setup: {
    corpus: corpus.length,
    queries: queries.length,
    k: K,
    mode: "hybrid (default fusion: z-score convex combination 0.5/0.5)",
    embedder: "all-MiniLM-L6-v2 fp32 (transformers.js, onnxruntime-node, CPU)",
    resultCache: "off",
    rateLimiter: "rate-limiter-flexible on Redis (one counter per request)",
    client: "autocannon in a second process, loopback",
    targetLoad: `${TARGET_PER_MINUTE} requests/minute (${Math.round(TARGET_PER_MINUTE / 60)}/s over 4 connections) for ${TARGET_SECONDS} s`,
    saturation: `${SATURATION_CONNECTIONS} connections, no rate limit, ${SATURATION_SECONDS} s`,
    baseline: "GET /health/live (no auth, no I/O) on the same server at saturation, same run",
  },
  rows,
  runs,
  ...(profileSummary && { profile: { phase: "query-embedding cache on, saturation", ...profileSummary } }),
});
console.log(`\nwrote ${file}`);
await stopAllServices();
await minilm.dispose?.();
