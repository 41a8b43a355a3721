/**
 * Simulation of an A/B/C prompt experiment with 20,000 synthetic users through the real
 * assignment, exposure, outcome and report code (in-memory store), then many seeded repetitions of
 * the outcomes to measure how often the report declares a winner.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildReport,
  createExperiments,
  createInMemoryExperimentStore,
  type ExperimentDefinition,
  type ExperimentReport,
  type VariantCounts,
} from "../src/index.js";
import { seededRandom } from "./seeded-random.js";

const USERS = 20_000;
const VARIANTS = [
  { name: "control", label: "production", weight: 0.4 },
  { name: "formal", label: "formal", weight: 0.2 },
  { name: "concise", label: "staging", weight: 0.4 },
];
const BETTER = { control: 0.1, formal: 0.1, concise: 0.12 };
const EQUAL = { control: 0.1, formal: 0.1, concise: 0.1 };

const declared = (r: ExperimentReport) =>
  r.verdict.status === "winner" || r.verdict.status === "control" ? r.verdict.variant : undefined;

let definition: ExperimentDefinition;
let assigned: Map<string, string>;
let assignedIndex: Uint8Array;
let report: ExperimentReport;
const experiments = createExperiments({ store: createInMemoryExperimentStore() });

beforeAll(async () => {
  definition = await experiments.create({ id: "sim", prompt: "qa", variants: VARIANTS, salt: "sim-salt" });
  const random = seededRandom(1);
  assigned = new Map();
  for (let u = 0; u < USERS; u++) {
    const unit = `user-${u}`;
    const a = await experiments.assign("sim", unit);
    assigned.set(unit, a.variant);
    if (random() < BETTER[a.variant as keyof typeof BETTER]) await experiments.recordConversion("sim", unit);
  }
  report = await experiments.report("sim");
  assignedIndex = Uint8Array.from([...assigned.values()].map((v) => VARIANTS.findIndex((x) => x.name === v)));
});

/** Re-draws every user's conversion with `rates` (same assignments) and reports. */
function rerun(seed: number, rates: Record<string, number>): ExperimentReport {
  const random = seededRandom(seed);
  const names = VARIANTS.map((v) => v.name);
  const rate = names.map((v) => rates[v]!);
  const exposures = names.map(() => 0);
  const conversions = names.map(() => 0);
  for (const i of assignedIndex) {
    exposures[i]! += 1;
    if (random() < rate[i]!) conversions[i]! += 1;
  }
  const counts: Record<string, VariantCounts> = {};
  names.forEach((v, i) => {
    counts[v] = { exposures: exposures[i]!, conversions: { conversion: conversions[i]! }, values: {} };
  });
  return buildReport(definition, "running", counts);
}

describe("experiment simulation (20,000 users, weights 40/20/40)", () => {
  it("splits traffic within 1 percentage point of the weights", () => {
    expect(report.variants.reduce((s, v) => s + v.exposures, 0)).toBe(USERS);
    for (const v of report.variants) expect(Math.abs(v.share - v.weight)).toBeLessThan(0.01);
  });

  it("gives a user the same variant every time, in another instance, and counts them once", async () => {
    const other = createExperiments({ store: createInMemoryExperimentStore() });
    await other.create({ id: "sim", prompt: "qa", variants: VARIANTS, salt: "sim-salt" });
    for (const [unit, variant] of assigned) {
      expect((await other.assign("sim", unit, { record: false })).variant).toBe(variant);
    }
    for (let u = 0; u < 1000; u++)
      expect((await experiments.assign("sim", `user-${u}`)).variant).toBe(assigned.get(`user-${u}`));
    expect((await experiments.report("sim")).variants.reduce((s, v) => s + v.exposures, 0)).toBe(USERS);
  });

  it("declares the better variant when the true rates are 10% vs 12%", () => {
    expect(report.verdict).toMatchObject({ status: "winner", variant: "concise" });
    const concise = report.comparisons.find((c) => c.variant === "concise")!;
    expect(concise).toMatchObject({ significant: true, direction: "better", test: "two-proportion-z" });
    expect(concise.interval[0]).toBeGreaterThan(0);
    expect(report.comparisons.find((c) => c.variant === "formal")!.direction).toBe("none");
    const control = report.variants.find((v) => v.isControl)!;
    expect(control.interval[0]).toBeLessThan(0.1);
    expect(control.interval[1]).toBeGreaterThan(0.1);
  });

  it("over 500 seeded runs at 10% vs 12%, declares the better variant in >= 90% and never a wrong one", () => {
    const verdicts = Array.from({ length: 500 }, (_, i) => declared(rerun(10_000 + i, BETTER)));
    const right = verdicts.filter((v) => v === "concise").length;
    console.log(`10% vs 12%: winner "concise" in ${right}/500 runs`);
    // expected power ≈ 97%: z ≈ 0.02 / 0.00494 ≈ 4.0 against the Bonferroni critical value 2.24
    expect(right / 500).toBeGreaterThanOrEqual(0.9);
    expect(verdicts.filter((v) => v !== undefined && v !== "concise")).toEqual([]);
  });

  it("with equal rates declares nothing in at least 95% of 2,000 seeded runs", () => {
    const runs = 2000;
    let verdicts = 0;
    let anySignificant = 0;
    for (let i = 0; i < runs; i++) {
      const r = rerun(20_000 + i, EQUAL);
      if (declared(r) !== undefined) verdicts++;
      if (r.comparisons.some((c) => c.significant)) anySignificant++;
    }
    console.log(
      `equal rates: no verdict in ${runs - verdicts}/${runs} runs; any significant comparison (either direction) in ${anySignificant}/${runs}`,
    );
    expect((runs - verdicts) / runs).toBeGreaterThanOrEqual(0.95);
    // the family-wise error rate of the Bonferroni-corrected tests stays near or below alpha = 5%
    expect(anySignificant / runs).toBeLessThan(0.065);
  });
});
