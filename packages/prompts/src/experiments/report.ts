import {
  type Interval,
  meanAndVariance,
  meanInterval,
  type TestResult,
  twoProportionZTest,
  welchTTest,
  wilsonInterval,
} from "./stats.js";
import type { ExperimentDefinition, ExperimentStatus, VariantCounts } from "./types.js";

/** Options of a report. */
export interface ReportOptions {
  /** Metric to analyse. @default "conversion" */
  metric?: string;
  /**
   * `conversion` (rates, two-proportion z-test) or `value` (means, Welch's t-test).
   * @default "value" when only numeric values were recorded under `metric`, else "conversion"
   */
  kind?: "conversion" | "value";
  /** Family-wise significance level; each of the m treatment-vs-control tests uses alpha / m (Bonferroni). @default 0.05 */
  alpha?: number;
  /**
   * No verdict until every variant has at least this many exposed units (and, for values, this many
   * units with a value). Fix it in advance (e.g. from a power calculation): the tests are
   * fixed-horizon, so stopping at the first significant peek inflates false positives. @default 1000
   */
  minSampleSize?: number;
  /** Whether larger rates/means are better. @default true */
  higherIsBetter?: boolean;
  /** For `value`: count exposed units without a value as 0 (e.g. revenue per user). @default false */
  zeroFill?: boolean;
}

/** Per-variant statistics. */
export interface VariantReport {
  name: string;
  isControl: boolean;
  /** Configured share of traffic (weights normalised). */
  weight: number;
  /** Distinct exposed units. */
  exposures: number;
  /** Observed share of exposures. */
  share: number;
  /** Units in the analysis: exposures (conversion, or value with zeroFill) or units with a value. */
  n: number;
  /** Converted units (conversion metrics). */
  conversions?: number;
  /** Conversion rate (conversions / exposures) or mean value per unit. */
  estimate: number;
  /** Standard deviation of per-unit values (value metrics). */
  sd?: number;
  /** Confidence interval of `estimate` at 1 - alpha: Wilson for rates, Student-t for means. */
  interval: Interval;
}

/** One treatment compared with the control. */
export interface ComparisonReport extends TestResult {
  variant: string;
  /** `two-proportion-z` or `welch-t`. */
  test: "two-proportion-z" | "welch-t";
  /** difference / control estimate (NaN when the control's is 0). */
  relativeLift: number;
  /** pValue < alpha / m. */
  significant: boolean;
  /** `better` or `worse` than the control when significant, else `none`. */
  direction: "better" | "worse" | "none";
}

/**
 * The verdict. `insufficient-data`: "no verdict yet" (a variant is under `minSampleSize`);
 * `winner`: a treatment beats the control significantly (the largest such improvement when
 * several do); `control`: every treatment is significantly worse; `no-difference`: otherwise.
 */
export interface Verdict {
  status: "insufficient-data" | "winner" | "control" | "no-difference";
  /** The variant to ship, for `winner` and `control`. */
  variant?: string;
  /** One human-readable sentence. */
  message: string;
}

/** A full experiment report. */
export interface ExperimentReport {
  experimentId: string;
  prompt: string;
  status: ExperimentStatus;
  metric: string;
  kind: "conversion" | "value";
  control: string;
  alpha: number;
  /** alpha / number of treatments (Bonferroni). */
  comparisonAlpha: number;
  minSampleSize: number;
  variants: VariantReport[];
  comparisons: ComparisonReport[];
  verdict: Verdict;
}

/**
 * Turns raw counts into a report: per-variant estimates and intervals, each treatment tested
 * against the control (two-proportion z-test for conversions, Welch's t-test for values) at the
 * Bonferroni-corrected level alpha / m (Dunn 1961) so that the chance of any false "winner" stays
 * below alpha, and a verdict.
 */
export function buildReport(
  definition: ExperimentDefinition,
  status: ExperimentStatus,
  counts: Record<string, VariantCounts>,
  options: ReportOptions = {},
): ExperimentReport {
  const metric = options.metric ?? "conversion";
  const recorded = Object.values(counts);
  const kind =
    options.kind ??
    (recorded.some((c) => c.values[metric]) && !recorded.some((c) => c.conversions[metric] !== undefined)
      ? "value"
      : "conversion");
  const alpha = options.alpha ?? 0.05;
  const minSampleSize = options.minSampleSize ?? 1000;
  const higherIsBetter = options.higherIsBetter ?? true;
  const zeroFill = options.zeroFill ?? false;
  const treatments = definition.variants.filter((v) => v.name !== definition.control);
  const comparisonAlpha = alpha / Math.max(1, treatments.length);
  const totalWeight = definition.variants.reduce((s, v) => s + v.weight, 0);
  const totalExposures = definition.variants.reduce((s, v) => s + (counts[v.name]?.exposures ?? 0), 0);

  const stats = new Map<string, { n: number; x: number; mean: number; variance: number }>();
  const variants: VariantReport[] = definition.variants.map((v) => {
    const c = counts[v.name];
    const exposures = c?.exposures ?? 0;
    const base = {
      name: v.name,
      isControl: v.name === definition.control,
      weight: v.weight / totalWeight,
      exposures,
      share: totalExposures ? exposures / totalExposures : 0,
    };
    if (kind === "conversion") {
      const x = c?.conversions[metric] ?? 0;
      stats.set(v.name, { n: exposures, x, mean: exposures ? x / exposures : 0, variance: 0 });
      return {
        ...base,
        n: exposures,
        conversions: x,
        estimate: exposures ? x / exposures : 0,
        interval: wilsonInterval(x, exposures, alpha),
      };
    }
    const agg = c?.values[metric] ?? { n: 0, sum: 0, sumSq: 0 };
    const n = zeroFill ? exposures : agg.n;
    const { mean, variance } = meanAndVariance(n, agg.sum, agg.sumSq);
    stats.set(v.name, { n, x: agg.sum, mean, variance });
    return {
      ...base,
      n,
      estimate: mean,
      sd: Math.sqrt(variance),
      interval: meanInterval(n, mean, variance, alpha),
    };
  });

  const control = stats.get(definition.control)!;
  const enough = [...stats.values()].every((s) => s.n >= Math.max(minSampleSize, 2));
  const comparisons: ComparisonReport[] = treatments.map((t) => {
    const s = stats.get(t.name)!;
    const result =
      kind === "conversion"
        ? s.n > 0 && control.n > 0
          ? twoProportionZTest(s.x, s.n, control.x, control.n, comparisonAlpha)
          : { difference: 0, interval: [Number.NaN, Number.NaN] as Interval, statistic: 0, pValue: 1 }
        : s.n > 1 && control.n > 1
          ? welchTTest(s.mean, s.variance, s.n, control.mean, control.variance, control.n, comparisonAlpha)
          : { difference: 0, interval: [Number.NaN, Number.NaN] as Interval, statistic: 0, pValue: 1 };
    const significant = enough && result.pValue < comparisonAlpha;
    const improves = higherIsBetter ? result.difference > 0 : result.difference < 0;
    return {
      variant: t.name,
      test: kind === "conversion" ? "two-proportion-z" : "welch-t",
      ...result,
      relativeLift: control.mean !== 0 ? result.difference / control.mean : Number.NaN,
      significant,
      direction: significant ? (improves ? "better" : "worse") : "none",
    };
  });

  let verdict: Verdict;
  if (!enough) {
    const smallest = [...stats.entries()].sort((a, b) => a[1].n - b[1].n)[0]!;
    verdict = {
      status: "insufficient-data",
      message: `No verdict yet: every variant needs at least ${minSampleSize} units; "${smallest[0]}" has ${smallest[1].n}.`,
    };
  } else {
    const better = comparisons
      .filter((c) => c.direction === "better")
      .sort((a, b) => (higherIsBetter ? b.difference - a.difference : a.difference - b.difference));
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    if (better.length) {
      const w = better[0]!;
      const others =
        better.length > 1
          ? ` (${better.length} variants beat the control; they were not tested against each other)`
          : "";
      verdict = {
        status: "winner",
        variant: w.variant,
        message: `"${w.variant}" beats the control "${definition.control}" on ${metric}: ${pct(w.relativeLift)} relative lift, p = ${w.pValue.toPrecision(2)} < ${comparisonAlpha.toPrecision(2)}${others}.`,
      };
    } else if (comparisons.length && comparisons.every((c) => c.direction === "worse")) {
      verdict = {
        status: "control",
        variant: definition.control,
        message: `The control "${definition.control}" beats every treatment on ${metric}.`,
      };
    } else {
      const worse = comparisons.filter((c) => c.direction === "worse").map((c) => `"${c.variant}"`);
      verdict = {
        status: "no-difference",
        message: `No variant beats the control "${definition.control}" on ${metric} at alpha = ${alpha}${worse.length ? ` (${worse.join(", ")} significantly worse)` : ""}.`,
      };
    }
  }

  return {
    experimentId: definition.id,
    prompt: definition.prompt,
    status,
    metric,
    kind,
    control: definition.control,
    alpha,
    comparisonAlpha,
    minSampleSize,
    variants,
    comparisons,
    verdict,
  };
}
