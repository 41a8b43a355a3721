/**
 * Self-query parser accuracy on the labelled request set (packages/self-query/test/fixtures):
 * a request is correct when its filter selects exactly the labelled records of a synthetic
 * collection (equivalent filter trees count as equal). Prints accuracy per category for each
 * variant side by side, and parse latency; writes bench/results/self-query.json.
 *
 *   pnpm tsx bench/self-query.ts            # rule-based variants
 *   pnpm tsx bench/self-query.ts --llm 20   # plus the LLM parser (SmolLM2-135M, local server) on 20 requests
 */
import { parseArgs } from "node:util";
import { createLlmParser, parse, type RuleParserOptions } from "../packages/self-query/src/index.js";
import { byCategory, evaluate, NOW, type Outcome, requests } from "../packages/self-query/test/accuracy.js";
import { percentile } from "./lib/metrics.js";
import { printTable, writeResults } from "./lib/report.js";

const { values } = parseArgs({ options: { llm: { type: "string" } } });
const now = () => NOW;

interface Variant {
  name: string;
  outcomes: Outcome[];
  latencyMs: number[];
  extra?: Record<string, number>;
}

async function runRules(name: string, options: RuleParserOptions): Promise<Variant> {
  const latencyMs: number[] = [];
  const outcomes = await evaluate((r, s) => {
    const t = performance.now();
    const out = parse(r, s, { now, ...options });
    latencyMs.push(performance.now() - t);
    return out;
  });
  return { name, outcomes, latencyMs };
}

const variants: Variant[] = [
  await runRules("rules", {}),
  await runRules("rules, no typo tolerance", { fuzzy: false }),
  await runRules("rules, after = start of period", { afterPeriod: "start" }),
];

if (values.llm) {
  const n = Number(values.llm) || 20;
  const { startLlmServer, stopAllServices, LLM_MODEL_ID } = await import("../test/services.js");
  const { createOpenAICompatibleModel } = await import("@ragloom/core");
  const server = await startLlmServer();
  try {
    const model = createOpenAICompatibleModel({
      baseURL: server.url,
      model: LLM_MODEL_ID,
      timeoutMs: 120_000,
      maxRetries: 0,
    });
    const parser = createLlmParser({ model, now, maxTokens: 160 });
    // every k-th request, so each category is sampled
    const step = Math.max(1, Math.floor(requests.length / n));
    const sample = requests.filter((_, i) => i % step === 0).slice(0, n);
    const latencyMs: number[] = [];
    let fallbacks = 0;
    const outcomes = await evaluate(async (r, s) => {
      const t = performance.now();
      const out = await parser.parse(r, s);
      latencyMs.push(performance.now() - t);
      if (out.fallback) fallbacks++;
      return out;
    }, sample);
    variants.push({
      name: `llm ${LLM_MODEL_ID} + fallback (n=${sample.length})`,
      outcomes,
      latencyMs,
      extra: { fallbackRate: fallbacks / sample.length },
    });
  } finally {
    await stopAllServices();
  }
}

const categories = [...new Set(requests.map((r) => r.category))].sort();
const rows = [...categories, "all"].map((category) => {
  const row: Record<string, string | number> = {
    category,
    n: requests.filter((r) => category === "all" || r.category === category).length,
  };
  for (const v of variants) {
    const c = byCategory(v.outcomes).find((x) => x.category === category);
    row[v.name] = c ? `${c.correct}/${c.n} (${(100 * c.accuracy).toFixed(1)}%)` : "-";
  }
  return row;
});
console.log(
  `Self-query accuracy (${requests.length} labelled requests, ${new Set(requests.map((r) => r.schema)).size} schemas)`,
);
printTable(rows);
console.log("");
printTable(
  variants.map((v) => ({
    variant: v.name,
    accuracy: byCategory(v.outcomes).at(-1)!.accuracy,
    "parse p50 ms": percentile(v.latencyMs, 50),
    "parse p95 ms": percentile(v.latencyMs, 95),
    "fallback rate": v.extra?.fallbackRate ?? "-",
  })),
);
for (const v of variants) {
  for (const o of v.outcomes.filter((x) => !x.correct))
    console.log(`  [${v.name}] miss (${o.item.category}): ${o.item.request}`);
}
const file = writeResults("self-query", {
  date: new Date().toISOString(),
  requests: requests.length,
  method:
    "a request is correct when its filter selects exactly the labelled records of a 600-record synthetic collection per schema",
  variants: variants.map((v) => ({
    name: v.name,
    perCategory: byCategory(v.outcomes),
    parseMs: { p50: percentile(v.latencyMs, 50), p95: percentile(v.latencyMs, 95) },
    ...(v.extra ?? {}),
    misses: v.outcomes
      .filter((o) => !o.correct)
      .map((o) => ({ request: o.item.request, category: o.item.category, predicted: o.predicted })),
  })),
});
console.log(`wrote ${file}`);
