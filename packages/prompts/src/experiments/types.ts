/** Lifecycle of an experiment: only `running` assigns variants; `paused` and `stopped` serve the control. */
export type ExperimentStatus = "running" | "paused" | "stopped";

/** One arm of an experiment: a prompt label or version, and its relative weight. */
export interface ExperimentVariant {
  /** Variant name (lower-case letters, digits, `.`, `_`, `-`), e.g. `control`, `concise`. */
  name: string;
  /** Relative share of traffic (> 0); weights are divided by their sum. */
  weight: number;
  /** Prompt label this variant serves (exactly one of `label`, `version`). */
  label?: string;
  /** Prompt version this variant serves (exactly one of `label`, `version`). */
  version?: number;
}

/** A stored experiment. */
export interface ExperimentDefinition {
  /** Experiment id (same rules as prompt names). */
  id: string;
  /** Name of the prompt under test. */
  prompt: string;
  variants: ExperimentVariant[];
  /** Name of the control variant (the baseline of every comparison and the fallback). */
  control: string;
  /** Bucketing salt; a new salt reshuffles units. */
  salt: string;
  /** When it was created, ISO 8601 UTC. */
  createdAt: string;
}

/** Per-unit aggregates of a numeric metric in one variant (sums over units of their per-unit totals). */
export interface ValueAggregate {
  /** Units that reported the metric at least once. */
  n: number;
  /** Σ x over those units (x = the unit's total). */
  sum: number;
  /** Σ x² over those units. */
  sumSq: number;
}

/** Raw counts of one variant. */
export interface VariantCounts {
  /** Distinct units exposed. */
  exposures: number;
  /** Distinct converted units per conversion metric. */
  conversions: Record<string, number>;
  /** Aggregates per numeric metric. */
  values: Record<string, ValueAggregate>;
}

/** Result of recording an outcome. */
export interface OutcomeResult {
  /** False when the unit was never exposed (the outcome is not counted) or had already converted. */
  recorded: boolean;
  /** The variant the unit was exposed to, if any. */
  variant?: string;
}

/**
 * Persistence of experiments, exposures and outcomes (in-memory or Redis). Each operation is
 * atomic per unit: a unit is counted at most once per variant and once per conversion metric.
 */
export interface ExperimentStore {
  readonly kind: string;
  /** Saves a definition if the id is new; returns the stored one (existing or new). */
  create(definition: ExperimentDefinition): Promise<ExperimentDefinition>;
  get(id: string): Promise<{ definition: ExperimentDefinition; status: ExperimentStatus } | undefined>;
  /** Returns the previous status, undefined when the experiment does not exist. */
  setStatus(id: string, status: ExperimentStatus): Promise<ExperimentStatus | undefined>;
  list(): Promise<string[]>;
  /** Records a unit's exposure; the first recorded variant sticks and is returned. */
  recordExposure(id: string, unitId: string, variant: string): Promise<{ variant: string; first: boolean }>;
  /** Counts a conversion once per unit and metric, for the unit's exposed variant. */
  recordConversion(id: string, unitId: string, metric: string): Promise<OutcomeResult>;
  /** Adds `value` to the unit's total of a numeric metric, for its exposed variant. */
  recordValue(id: string, unitId: string, metric: string, value: number): Promise<OutcomeResult>;
  /** Counts per variant name. */
  counts(id: string): Promise<Record<string, VariantCounts>>;
  close?(): Promise<void>;
}
