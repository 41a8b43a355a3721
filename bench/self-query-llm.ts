/**
 * LLM self-query parser on the project's labelled set (packages/self-query/test/fixtures,
 * today = 2024-06-15) and the frozen held-out set (bench/data/self-query-heldout, today =
 * 2026-06-15), graded like bench/self-query-heldout.ts: a request is correct when its filter
 * selects exactly the labelled records of a synthetic collection.
 *
 * One model call sequence per request serves every LLM variant (answers are cached by prompt):
 * - `llm + rules`: the default parser (schema-constrained answer, validation, grounding check,
 *   rule-based fallback);
 * - `llm + rules, no grounding`: fallback only on answers that fail validation;
 * - `llm only`: the validated answer, or a miss when the model gave none;
 * - `rules`: the rule-based parser alone, for reference.
 * Reports accuracy, how often the LLM answer was accepted (and why it was not), and parse
 * latency per request (p50/p95, model calls included; SmolLM2-135M-Instruct Q4_1, one thread).
 *
 *   nice -n 10 pnpm tsx bench/self-query-llm.ts [--limit N] [--backend server|in-process] [--max-tokens 120]
 *
 * `--limit N` takes N evenly spaced requests of each set (all categories sampled).
 */
import { parseArgs } from "node:util";
import type { ChatMessage, GenerateOptions, GenerateResult, LanguageModel } from "@ragloom/core";
import {
  createLlmParser,
  parse,
  type SelfQueryResult,
  type SelfQuerySchema,
} from "../packages/self-query/src/index.js";
import { byCategory, evaluate, NOW, requests } from "../packages/self-query/test/accuracy.js";
import { evaluateHeldout, HELDOUT_NOW, heldoutRequests } from "./lib/heldout-eval.js";
import { percentile } from "./lib/metrics.js";
import { printTable, writeResults } from "./lib/report.js";

const { values } = parseArgs({
  options: {
    limit: { type: "string" },
    backend: { type: "string", default: "server" },
    "max-tokens": { type: "string", default: "120" },
  },
});
const maxTokens = Number(values["max-tokens"]);
const limit = values.limit ? Number(values.limit) : undefined;

function sample<T>(items: T[]): T[] {
  if (!limit || limit >= items.length) return items;
  const step = items.length / limit;
  return Array.from({ length: limit }, (_, i) => items[Math.floor(i * step)]!);
}

interface Call {
  ms: number;
  finishReason?: string;
  completionTokens?: number;
}

/** Caches answers by prompt, so every variant reads the same model answers; records each real call. */
function cached(model: LanguageModel, calls: Call[]): LanguageModel {
  const memo = new Map<string, Promise<GenerateResult>>();
  return {
    modelId: model.modelId,
    generate(messages: ChatMessage[], opts?: GenerateOptions) {
      const key = JSON.stringify([messages, opts?.json, opts?.maxTokens]);
      let hit = memo.get(key);
      if (!hit) {
        const t = performance.now();
        hit = model.generate(messages, opts).then((r) => {
          calls.push({
            ms: performance.now() - t,
            finishReason: r.finishReason,
            completionTokens: r.usage?.completionTokens,
          });
          return r;
        });
        memo.set(key, hit);
      }
      return hit;
    },
  };
}

async function openModel(): Promise<{ model: LanguageModel; close(): Promise<void> }> {
  const services = await import("../test/services.js");
  if (values.backend === "in-process") {
    const { createLlamaCppModel } = await import("@ragloom/core/llama-cpp");
    const model = await createLlamaCppModel({ modelPath: services.LLM_MODEL_FILE, threads: 1 });
    return { model, close: () => model.dispose() };
  }
  const { createOpenAICompatibleModel } = await import("@ragloom/core");
  const server = await services.startLlmServer();
  const model = createOpenAICompatibleModel({
    baseURL: server.url,
    model: services.LLM_MODEL_ID,
    timeoutMs: 120_000,
    maxRetries: 0,
  });
  return { model, close: () => services.stopAllServices() };
}

type Parse = (request: string, schema: SelfQuerySchema) => Promise<SelfQueryResult> | SelfQueryResult;
type Outcome = { item: { category: string; request: string }; correct: boolean };

interface SetRun {
  name: string;
  n: number;
  variants: Record<string, { outcomes: Outcome[]; accepted: number }>;
  latencyMs: number[];
  reasons: Record<string, number>;
}

function reasonOf(res: SelfQueryResult): string {
  if (!res.fallback) return "accepted";
  if (res.fallback.reason === "model_error") return "model error";
  const last = res.fallback.errors.at(-1) ?? "";
  if (last.includes("not grounded")) return "not grounded";
  if (last.includes("cut off")) return "cut off";
  return "invalid";
}

async function runSet(
  name: string,
  now: Date,
  run: (parse: Parse) => Promise<Outcome[]>,
  n: number,
  model: LanguageModel,
): Promise<SetRun> {
  const clock = () => now;
  const latencyMs: number[] = [];
  const reasons: Record<string, number> = {};
  const full = createLlmParser({ model, now: clock, maxTokens, timeoutMs: 120_000 });
  const noGrounding = createLlmParser({ model, now: clock, maxTokens, timeoutMs: 120_000, grounding: false });
  const counts = { full: 0, noGrounding: 0 };
  let done = 0;
  const variants: SetRun["variants"] = {};
  variants["llm + rules"] = {
    accepted: 0,
    outcomes: await run(async (r, s) => {
      const t = performance.now();
      const res = await full.parse(r, s);
      latencyMs.push(performance.now() - t);
      const why = reasonOf(res);
      reasons[why] = (reasons[why] ?? 0) + 1;
      if (!res.fallback) counts.full++;
      if (++done % 25 === 0) console.error(`${name}: ${done}/${n}`);
      return res;
    }),
  };
  variants["llm + rules"]!.accepted = counts.full;
  variants["llm + rules, no grounding"] = {
    accepted: 0,
    outcomes: await run(async (r, s) => {
      const res = await noGrounding.parse(r, s);
      if (!res.fallback) counts.noGrounding++;
      return res;
    }),
  };
  variants["llm + rules, no grounding"]!.accepted = counts.noGrounding;
  variants["llm only"] = {
    accepted: counts.noGrounding,
    outcomes: await run(async (r, s) => {
      const res = await noGrounding.parse(r, s);
      if (res.fallback) throw new Error("no valid LLM answer");
      return res;
    }),
  };
  variants.rules = { accepted: 0, outcomes: await run((r, s) => parse(r, s, { now: clock })) };
  return { name, n, variants, latencyMs, reasons };
}

const ownItems = sample(requests);
const heldItems = sample(heldoutRequests);
const calls: Call[] = [];
const { model: base, close } = await openModel();
const model = cached(base, calls);
const started = Date.now();
let sets: SetRun[];
try {
  sets = [
    await runSet("project", NOW, (p) => evaluate(p, ownItems), ownItems.length, model),
    await runSet("held-out", HELDOUT_NOW, (p) => evaluateHeldout(p, heldItems), heldItems.length, model),
  ];
} finally {
  await close();
}

const pct = (a: number, b: number) => `${a}/${b} (${((100 * a) / Math.max(1, b)).toFixed(1)}%)`;
const rows = sets.flatMap((s) =>
  Object.entries(s.variants).map(([variant, v]) => {
    const correct = v.outcomes.filter((o) => o.correct).length;
    const llm = variant !== "rules";
    return {
      set: s.name,
      variant,
      correct: pct(correct, s.n),
      "LLM answer used": llm ? pct(v.accepted, s.n) : "-",
      "p50 ms": llm ? Math.round(percentile(s.latencyMs, 50)) : "-",
      "p95 ms": llm ? Math.round(percentile(s.latencyMs, 95)) : "-",
    };
  }),
);
console.log(`SmolLM2-135M-Instruct (${values.backend}, 1 thread), maxTokens ${maxTokens}`);
printTable(rows);
console.log("");
printTable(
  sets.map((s) => ({
    set: s.name,
    ...Object.fromEntries(Object.entries(s.reasons).map(([k, v]) => [k, pct(v, s.n)])),
  })),
);
const cut = calls.filter((c) => c.finishReason === "length").length;
console.log(
  `\n${calls.length} model calls, ${cut} cut off at maxTokens; completion tokens p50 ${percentile(
    calls.map((c) => c.completionTokens ?? 0),
    50,
  )}; ${Math.round((Date.now() - started) / 1000)} s`,
);

const file = writeResults("self-query-llm", {
  method:
    "requests graded as in bench/self-query-heldout.ts (record-set equality on a synthetic collection); one cached model answer sequence per request serves every LLM variant; latency is one parse (model calls included)",
  date: new Date().toISOString(),
  model: "SmolLM2-135M-Instruct Q4_1",
  backend: values.backend,
  threads: 1,
  maxTokens,
  limit: limit ?? null,
  modelCalls: calls.length,
  cutOff: cut,
  completionTokensP50: percentile(
    calls.map((c) => c.completionTokens ?? 0),
    50,
  ),
  sets: sets.map((s) => ({
    set: s.name,
    n: s.n,
    latencyMs: {
      p50: percentile(s.latencyMs, 50),
      p95: percentile(s.latencyMs, 95),
    },
    answers: s.reasons,
    variants: Object.fromEntries(
      Object.entries(s.variants).map(([k, v]) => [
        k,
        {
          llmAnswerUsed: k === "rules" ? 0 : v.accepted,
          perCategory: byCategory(v.outcomes as never),
        },
      ]),
    ),
  })),
});
console.log(`wrote ${file}`);
