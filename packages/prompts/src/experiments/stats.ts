import { ValidationError } from "@ragloom/core";
import jStat from "jstat";

/** A two-sided confidence interval `[lower, upper]`. */
export type Interval = [number, number];

/** Standard normal quantile z_{p} (jStat.normal.inv). */
export function normalQuantile(p: number): number {
  return jStat.normal.inv(p, 0, 1);
}

/**
 * Wilson score interval of a proportion `successes / n` at confidence `1 - alpha`
 * (Wilson, JASA 1927; recommended over the Wald interval by Brown, Cai & DasGupta, Statistical
 * Science 2001). Returns [0, 1] for n = 0.
 */
export function wilsonInterval(successes: number, n: number, alpha = 0.05): Interval {
  if (n <= 0) return [0, 1];
  const z = normalQuantile(1 - alpha / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const center = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

/** Result of a comparison of a treatment against the control. */
export interface TestResult {
  /** Treatment minus control (rate or mean). */
  difference: number;
  /** Confidence interval of `difference` at `1 - alpha`. */
  interval: Interval;
  /** z (two-proportion test) or t (Welch) statistic. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** Welch–Satterthwaite degrees of freedom (Welch's test only). */
  df?: number;
}

/**
 * Two-sided two-proportion z-test of `x1/n1` (treatment) against `x2/n2` (control) with the pooled
 * standard error under H0: p1 = p2, z = (p1 - p2) / sqrt(p(1-p)(1/n1 + 1/n2)) with p = (x1+x2)/(n1+n2);
 * p-value 2(1 - Φ(|z|)) (e.g. Fleiss, Levin & Paik, Statistical Methods for Rates and Proportions,
 * 3rd ed., §3.2; NIST/SEMATECH e-Handbook 7.3.3). The difference's interval is the unpooled Wald
 * interval. Needs n1, n2 > 0; p-value 1 when both rates are 0 or 1.
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number, alpha = 0.05): TestResult {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const difference = p1 - p2;
  const z = se0 > 0 ? difference / se0 : 0;
  const pValue = se0 > 0 ? 2 * (1 - jStat.normal.cdf(Math.abs(z), 0, 1)) : 1;
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  const q = normalQuantile(1 - alpha / 2);
  return { difference, interval: [difference - q * se, difference + q * se], statistic: z, pValue };
}

/** Mean, sample variance (n - 1) and n from aggregates Σx, Σx². */
export function meanAndVariance(n: number, sum: number, sumSq: number): { mean: number; variance: number } {
  const mean = n > 0 ? sum / n : 0;
  const variance = n > 1 ? Math.max(0, (sumSq - (sum * sum) / n) / (n - 1)) : 0;
  return { mean, variance };
}

/** Student-t interval of a mean at confidence `1 - alpha` (n - 1 degrees of freedom). */
export function meanInterval(n: number, mean: number, variance: number, alpha = 0.05): Interval {
  if (n < 2) return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  const half = jStat.studentt.inv(1 - alpha / 2, n - 1) * Math.sqrt(variance / n);
  return [mean - half, mean + half];
}

/**
 * Welch's unequal-variances t-test of treatment (mean1, var1, n1) against control (mean2, var2, n2)
 * (Welch, Biometrika 1947): t = (m1 - m2) / sqrt(v1/n1 + v2/n2), degrees of freedom by the
 * Welch–Satterthwaite equation, two-sided p-value from Student's t (jStat.studentt.cdf).
 * Needs n1, n2 >= 2; p-value 1 when both variances are 0 and the means are equal.
 */
export function welchTTest(
  mean1: number,
  var1: number,
  n1: number,
  mean2: number,
  var2: number,
  n2: number,
  alpha = 0.05,
): TestResult {
  const a = var1 / n1;
  const b = var2 / n2;
  const se = Math.sqrt(a + b);
  const difference = mean1 - mean2;
  if (se === 0) {
    return {
      difference,
      interval: [difference, difference],
      statistic: 0,
      pValue: difference === 0 ? 1 : 0,
      df: n1 + n2 - 2,
    };
  }
  const t = difference / se;
  const df = (a + b) ** 2 / (a ** 2 / (n1 - 1) + b ** 2 / (n2 - 1));
  const pValue = 2 * (1 - jStat.studentt.cdf(Math.abs(t), df));
  const q = jStat.studentt.inv(1 - alpha / 2, df);
  return { difference, interval: [difference - q * se, difference + q * se], statistic: t, pValue, df };
}

/** Inputs of {@link sampleSizeForProportions}. */
export interface SampleSizeOptions {
  /** Conversion rate of the control, in (0, 1). */
  baseline: number;
  /** Smallest absolute difference worth detecting (0.02 = 10% → 12%). */
  minimumDetectableEffect: number;
  /** Family-wise two-sided significance level. @default 0.05 */
  alpha?: number;
  /** Probability of detecting the effect when it is real. @default 0.8 */
  power?: number;
  /** Number of treatments compared with the control (alpha is divided by it, as in the report). @default 1 */
  comparisons?: number;
}

/**
 * Units needed per variant for a two-sided two-proportion test to detect `minimumDetectableEffect`
 * with the given power: n = (z_{1-α'/2} √(2 p̄ q̄) + z_{1-β} √(p1 q1 + p2 q2))² / δ², α' = α / comparisons
 * (Fleiss, Levin & Paik, Statistical Methods for Rates and Proportions, 3rd ed., eq. 4.14, without
 * continuity correction). Use it as the report's `minSampleSize`. E.g. 10% → 12%, α = 0.05, power 0.8:
 * 3,841 per variant.
 * @throws ValidationError for rates outside (0, 1) or alpha, power outside (0, 1).
 */
export function sampleSizeForProportions(options: SampleSizeOptions): number {
  const p1 = options.baseline;
  const p2 = p1 + options.minimumDetectableEffect;
  const alpha = (options.alpha ?? 0.05) / (options.comparisons ?? 1);
  const power = options.power ?? 0.8;
  if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1 && p1 !== p2)) {
    throw new ValidationError(
      "baseline and baseline + minimumDetectableEffect must be different rates in (0, 1)",
    );
  }
  if (!(alpha > 0 && alpha < 1 && power > 0 && power < 1))
    throw new ValidationError("alpha and power must be in (0, 1)");
  const pBar = (p1 + p2) / 2;
  const a = normalQuantile(1 - alpha / 2) * Math.sqrt(2 * pBar * (1 - pBar));
  const b = normalQuantile(power) * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.ceil((a + b) ** 2 / (p2 - p1) ** 2);
}
