import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { ServiceError, ValidationError } from "@ragloom/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, type ServiceHandle, startRedis, stopAllServices } from "../../../test/services.js";
import {
  bucketOf,
  createExperiments,
  createInMemoryExperimentStore,
  createInMemoryPromptStore,
  createPromptClient,
  createPromptEvents,
  createPromptRegistry,
  type ExperimentStore,
  meanAndVariance,
  pickWeighted,
  sampleSizeForProportions,
  twoProportionZTest,
  welchTTest,
  wilsonInterval,
} from "../src/index.js";
import { createRedisExperimentStore } from "../src/redis.js";

const run = promisify(execFile);
let redis: ServiceHandle;
const closers: Array<() => Promise<unknown>> = [];
let n = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
  await stopAllServices();
});

describe("statistics (reference values from SciPy 1.17)", () => {
  it("Welch's t-test matches scipy.stats.ttest_ind(equal_var=False)", () => {
    const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const agg = (xs: number[]) =>
      meanAndVariance(
        xs.length,
        xs.reduce((s, x) => s + x, 0),
        xs.reduce((s, x) => s + x * x, 0),
      );
    const A = agg(a);
    const B = agg(b);
    const r = welchTTest(A.mean, A.variance, a.length, B.mean, B.variance, b.length);
    expect(r.statistic).toBeCloseTo(-2.455356398286006, 9);
    expect(r.df).toBeCloseTo(24.988529290231416, 6);
    expect(r.pValue).toBeCloseTo(0.021378001462866992, 6);
    expect(r.interval[0]).toBeCloseTo(-3.984096267140929, 6);
    expect(r.interval[1]).toBeCloseTo(-0.3492370661924069, 6);
  });

  it("two-proportion z-test and Wilson interval", () => {
    const r = twoProportionZTest(120, 1000, 100, 1000);
    expect(r.statistic).toBeCloseTo(1.4293008498232314, 9);
    expect(r.pValue).toBeCloseTo(0.1529177818639462, 6);
    const [lo, hi] = wilsonInterval(12, 100);
    expect(lo).toBeCloseTo(0.0699940643701949, 9);
    expect(hi).toBeCloseTo(0.19812099426711421, 9);
    expect(twoProportionZTest(0, 10, 0, 10).pValue).toBe(1);
  });

  it("sample size for a two-proportion test (Fleiss formula, checked with SciPy quantiles)", () => {
    expect(sampleSizeForProportions({ baseline: 0.1, minimumDetectableEffect: 0.02 })).toBe(3841);
    expect(sampleSizeForProportions({ baseline: 0.1, minimumDetectableEffect: 0.02, comparisons: 2 })).toBe(
      4652,
    );
    expect(() => sampleSizeForProportions({ baseline: 0.99, minimumDetectableEffect: 0.02 })).toThrow(
      ValidationError,
    );
  });

  it("bucketing is uniform in [0, 1) and weighted picking follows the cumulative weights", () => {
    const u = bucketOf("salt", "user-1");
    expect(u).toBe(bucketOf("salt", "user-1"));
    expect(u).not.toBe(bucketOf("other-salt", "user-1"));
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
    const vs = [
      { name: "a", weight: 1 },
      { name: "b", weight: 3 },
    ];
    expect(pickWeighted(vs, 0).name).toBe("a");
    expect(pickWeighted(vs, 0.2499).name).toBe("a");
    expect(pickWeighted(vs, 0.25).name).toBe("b");
    expect(pickWeighted(vs, 0.9999999).name).toBe("b");
    const counts = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 10_000; i++) counts[Math.floor(bucketOf("s", String(i)) * 10)]! += 1;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });
});

function experimentSuite(label: string, makeStore: () => Promise<ExperimentStore>) {
  describe(`experiments on ${label}`, () => {
    const setup = async () => {
      const registry = createPromptRegistry({ store: createInMemoryPromptStore() });
      await registry.publish({
        name: "qa",
        content: { type: "text", template: "A {{q}}" },
        labels: ["production"],
      });
      await registry.publish({
        name: "qa",
        content: { type: "text", template: "B {{q}}" },
        labels: ["staging"],
      });
      const events = createPromptEvents();
      const seen: Array<[string, unknown]> = [];
      for (const e of ["exposure", "outcome", "experiment:status"] as const)
        events.on(e, (p) => seen.push([e, p]));
      const store = await makeStore();
      const experiments = createExperiments({ store, prompts: registry, events, definitionTtlMs: 0 });
      await experiments.create({
        id: "qa-test",
        prompt: "qa",
        variants: [
          { name: "control", label: "production", weight: 1 },
          { name: "brief", version: 2, weight: 1 },
        ],
      });
      return { experiments, seen, store };
    };

    it("assigns with the prompt version for logging, records exposures once, and attributes outcomes", async () => {
      const { experiments, seen } = await setup();
      const a = await experiments.assign("qa-test", "alice");
      expect(a.prompt?.format({ q: "?" })).toBe(a.variant === "control" ? "A ?" : "B ?");
      expect(a.version).toBe(a.variant === "control" ? 1 : 2);
      expect(a).toMatchObject({
        experimentId: "qa-test",
        unitId: "alice",
        status: "running",
        reason: "bucket",
        exposed: true,
      });
      expect(seen[0]).toEqual([
        "exposure",
        { experimentId: "qa-test", unitId: "alice", variant: a.variant, version: a.version, first: true },
      ]);
      await experiments.assign("qa-test", "alice");
      expect(seen[1]).toEqual(["exposure", expect.objectContaining({ first: false })]);
      expect(await experiments.recordConversion("qa-test", "alice")).toEqual({
        recorded: true,
        variant: a.variant,
      });
      expect(await experiments.recordConversion("qa-test", "alice")).toEqual({
        recorded: false,
        variant: a.variant,
      });
      // never exposed: not counted
      expect(await experiments.recordConversion("qa-test", "mallory")).toEqual({ recorded: false });
      expect(seen.at(-1)).toEqual([
        "outcome",
        expect.objectContaining({ unitId: "mallory", recorded: false, kind: "conversion" }),
      ]);
      await experiments.recordValue("qa-test", "alice", "rating", 4);
      await experiments.recordValue("qa-test", "alice", "rating", 1); // per-unit total 5
      const report = await experiments.report("qa-test", { minSampleSize: 1 });
      const v = report.variants.find((x) => x.name === a.variant)!;
      expect(v).toMatchObject({ exposures: 1, conversions: 1, estimate: 1 });
      const values = await experiments.report("qa-test", {
        metric: "rating",
        kind: "value",
        minSampleSize: 1,
      });
      expect(values.variants.find((x) => x.name === a.variant)).toMatchObject({ n: 1, estimate: 5 });
      expect(values.verdict.status).toBe("insufficient-data");
    });

    it("pausing and stopping serve the control and record nothing", async () => {
      const { experiments, seen } = await setup();
      let bob = "";
      for (let i = 0; bob === ""; i++) {
        const a = await experiments.assign("qa-test", `u${i}`, { record: false });
        if (a.variant === "brief") bob = `u${i}`;
      }
      await experiments.setStatus("qa-test", "paused");
      expect(seen.at(-1)).toEqual([
        "experiment:status",
        { experimentId: "qa-test", status: "paused", previous: "running" },
      ]);
      const paused = await experiments.assign("qa-test", bob);
      expect(paused).toMatchObject({
        variant: "control",
        isControl: true,
        reason: "paused",
        exposed: false,
        version: 1,
      });
      await experiments.setStatus("qa-test", "stopped");
      expect((await experiments.assign("qa-test", bob)).reason).toBe("stopped");
      const report = await experiments.report("qa-test");
      expect(report.status).toBe("stopped");
      expect(report.variants.every((v) => v.exposures === 0)).toBe(true);
      await experiments.setStatus("qa-test", "running");
      expect((await experiments.assign("qa-test", bob)).variant).toBe("brief");
    });

    it("reports numeric metrics with Welch's t-test and a no-verdict-yet below the minimum sample", async () => {
      const { experiments } = await setup();
      for (let i = 0; i < 400; i++) {
        const a = await experiments.assign("qa-test", `user${i}`);
        // the brief prompt saves tokens: values 100 + noise vs 80 + noise
        const base = a.variant === "control" ? 100 : 80;
        await experiments.recordValue("qa-test", `user${i}`, "tokens", base + ((i * 37) % 21) - 10);
      }
      const early = await experiments.report("qa-test", { metric: "tokens" });
      expect(early.kind).toBe("value"); // inferred: only values were recorded under "tokens"
      expect(early.verdict.status).toBe("insufficient-data");
      expect(early.verdict.message).toMatch(/^No verdict yet/);
      const r = await experiments.report("qa-test", {
        metric: "tokens",
        kind: "value",
        minSampleSize: 100,
        higherIsBetter: false,
      });
      expect(r.comparisons[0]).toMatchObject({
        variant: "brief",
        test: "welch-t",
        significant: true,
        direction: "better",
      });
      expect(r.comparisons[0]!.difference).toBeCloseTo(-20, 0);
      expect(r.verdict).toMatchObject({ status: "winner", variant: "brief" });
    });

    it("validates definitions and refuses to redefine an experiment", async () => {
      const { experiments } = await setup();
      const base = { id: "x", prompt: "qa" };
      await expect(
        experiments.create({ ...base, variants: [{ name: "a", label: "production", weight: 1 }] }),
      ).rejects.toThrow(ValidationError);
      await expect(
        experiments.create({
          ...base,
          variants: [
            { name: "a", label: "production", weight: 0 },
            { name: "b", label: "staging", weight: 1 },
          ],
        }),
      ).rejects.toThrow(/weight/);
      await expect(
        experiments.create({
          ...base,
          variants: [
            { name: "a", label: "production", version: 1, weight: 1 },
            { name: "b", label: "staging", weight: 1 },
          ],
        }),
      ).rejects.toThrow(/exactly one/);
      await expect(
        experiments.create({
          id: "qa-test",
          prompt: "qa",
          variants: [
            { name: "control", label: "production", weight: 3 },
            { name: "brief", version: 2, weight: 1 },
          ],
        }),
      ).rejects.toThrow(/another definition/);
      await expect(experiments.assign("missing", "u")).rejects.toThrow(/does not exist/);
      await expect(experiments.assign("qa-test", "")).rejects.toThrow(ValidationError);
      await expect(experiments.recordValue("qa-test", "u", "m", Number.NaN)).rejects.toThrow(ValidationError);
    });
  });
}

describe("experiments with a prompt client in fallback", () => {
  it("does not count an exposure when the variant's prompt could not be served", async () => {
    // fault injection: a prompt store that is down, behind a client with a fallback
    const registry = createPromptRegistry({
      store: {
        ...createInMemoryPromptStore(),
        get: async () => {
          throw new ServiceError("redis", "ECONNREFUSED");
        },
      },
    });
    const prompts = createPromptClient({
      source: registry,
      fallbacks: { qa: { type: "text", template: "fb" } },
    });
    const experiments = createExperiments({ store: createInMemoryExperimentStore(), prompts });
    await experiments.create({
      id: "down",
      prompt: "qa",
      variants: [
        { name: "a", label: "production", weight: 1 },
        { name: "b", label: "staging", weight: 1 },
      ],
    });
    const a = await experiments.assign("down", "u1");
    expect(a).toMatchObject({ exposed: false, version: 0 });
    expect(a.prompt?.source).toBe("fallback");
    expect((await experiments.report("down")).variants.every((v) => v.exposures === 0)).toBe(true);
  });
});

experimentSuite("the in-memory store", async () => createInMemoryExperimentStore());
experimentSuite("Redis (real redis-server)", async () => {
  const store = await createRedisExperimentStore({ url: redis.url, namespace: `exp${n++}:` });
  closers.push(() => store.close());
  return store;
});

describe("experiments across processes (Redis)", () => {
  it("a child process assigns every unit the same variant, and concurrent recorders count each unit once", async () => {
    const namespace = `xp${n++}:`;
    const stores = await Promise.all(
      [0, 1, 2].map(async () => {
        const s = await createRedisExperimentStore({ url: redis.url, namespace });
        closers.push(() => s.close());
        return s;
      }),
    );
    const managers = stores.map((store) => createExperiments({ store }));
    await managers[0]!.create({
      id: "sticky",
      prompt: "qa",
      variants: [
        { name: "a", label: "production", weight: 2 },
        { name: "b", label: "staging", weight: 1 },
        { name: "c", label: "c", weight: 1 },
      ],
    });
    const tsx = join(REPO_ROOT, "node_modules", ".bin", "tsx");
    const worker = resolve(import.meta.dirname, "assign-worker.ts");
    const child = run(tsx, [worker, redis.url, namespace, "sticky", "300"], {
      cwd: REPO_ROOT,
      timeout: 60_000,
    });
    // three connections assign and convert the same 300 units at the same time
    await Promise.all(
      managers.map(async (m) => {
        for (let u = 0; u < 300; u++) {
          await m.assign("sticky", `u${u}`);
          if (u % 3 === 0) await m.recordConversion("sticky", `u${u}`);
        }
      }),
    );
    const fromChild = JSON.parse((await child).stdout) as Record<string, string>;
    for (let u = 0; u < 300; u++) {
      expect((await managers[1]!.assign("sticky", `u${u}`, { record: false })).variant).toBe(
        fromChild[`u${u}`],
      );
    }
    const report = await managers[2]!.report("sticky", { minSampleSize: 1 });
    expect(report.variants.reduce((s, v) => s + v.exposures, 0)).toBe(300);
    expect(report.variants.reduce((s, v) => s + (v.conversions ?? 0), 0)).toBe(100);
  });
});
