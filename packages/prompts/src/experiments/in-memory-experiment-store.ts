import { ValidationError } from "@ragloom/core";
import type {
  ExperimentDefinition,
  ExperimentStatus,
  ExperimentStore,
  ValueAggregate,
  VariantCounts,
} from "./types.js";

interface State {
  definition: ExperimentDefinition;
  status: ExperimentStatus;
  units: Map<string, string>;
  converted: Map<string, Set<string>>;
  totals: Map<string, Map<string, number>>;
  counts: Map<string, VariantCounts>;
}

const emptyCounts = (): VariantCounts => ({ exposures: 0, conversions: {}, values: {} });

/**
 * An {@link ExperimentStore} in process memory (tests, one process). Exposures are exact: one
 * entry per exposed unit, so memory grows with the number of units.
 */
export function createInMemoryExperimentStore(): ExperimentStore {
  const experiments = new Map<string, State>();
  const counts = (s: State, variant: string) => {
    let c = s.counts.get(variant);
    if (!c) {
      c = emptyCounts();
      s.counts.set(variant, c);
    }
    return c;
  };
  const state = (id: string) => experiments.get(id);
  return {
    kind: "memory",
    async create(definition) {
      const existing = experiments.get(definition.id);
      if (existing) return structuredClone(existing.definition);
      experiments.set(definition.id, {
        definition: structuredClone(definition),
        status: "running",
        units: new Map(),
        converted: new Map(),
        totals: new Map(),
        counts: new Map(),
      });
      return structuredClone(definition);
    },
    async get(id) {
      const s = state(id);
      return s ? { definition: structuredClone(s.definition), status: s.status } : undefined;
    },
    async setStatus(id, status) {
      const s = state(id);
      if (!s) return undefined;
      const previous = s.status;
      s.status = status;
      return previous;
    },
    async list() {
      return [...experiments.keys()].sort();
    },
    async recordExposure(id, unitId, variant) {
      const s = state(id);
      if (!s) throw new ValidationError(`experiment ${id} does not exist`);
      const existing = s.units.get(unitId);
      if (existing !== undefined) return { variant: existing, first: false };
      s.units.set(unitId, variant);
      counts(s, variant).exposures += 1;
      return { variant, first: true };
    },
    async recordConversion(id, unitId, metric) {
      const s = state(id);
      const variant = s?.units.get(unitId);
      if (!s || variant === undefined) return { recorded: false };
      let set = s.converted.get(metric);
      if (!set) {
        set = new Set();
        s.converted.set(metric, set);
      }
      const c = counts(s, variant);
      c.conversions[metric] ??= 0;
      if (set.has(unitId)) return { recorded: false, variant };
      set.add(unitId);
      c.conversions[metric] += 1;
      return { recorded: true, variant };
    },
    async recordValue(id, unitId, metric, value) {
      const s = state(id);
      const variant = s?.units.get(unitId);
      if (!s || variant === undefined) return { recorded: false };
      let totals = s.totals.get(metric);
      if (!totals) {
        totals = new Map();
        s.totals.set(metric, totals);
      }
      const old = totals.get(unitId);
      const next = (old ?? 0) + value;
      totals.set(unitId, next);
      const c = counts(s, variant);
      const agg: ValueAggregate = c.values[metric] ?? { n: 0, sum: 0, sumSq: 0 };
      c.values[metric] = agg;
      if (old === undefined) agg.n += 1;
      agg.sum += value;
      agg.sumSq += next * next - (old ?? 0) * (old ?? 0);
      return { recorded: true, variant };
    },
    async counts(id) {
      const s = state(id);
      const out: Record<string, VariantCounts> = {};
      if (!s) return out;
      for (const [variant, c] of s.counts) out[variant] = structuredClone(c);
      return out;
    },
  };
}
