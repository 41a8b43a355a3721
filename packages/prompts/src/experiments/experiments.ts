import { ValidationError } from "@ragloom/core";
import { emitPromptEvent, type PromptEventTarget } from "../events.js";
import type { PromptReader, ResolvedPrompt } from "../registry/resolved-prompt.js";
import type { PromptRef } from "../stores/types.js";
import { checkLabel, checkPromptName, checkVersion } from "../stores/validate.js";
import { bucketOf, pickWeighted } from "./bucketing.js";
import { buildReport, type ExperimentReport, type ReportOptions } from "./report.js";
import type {
  ExperimentDefinition,
  ExperimentStatus,
  ExperimentStore,
  ExperimentVariant,
  OutcomeResult,
} from "./types.js";

/** Options of {@link createExperiments}. */
export interface ExperimentsOptions {
  /** Where definitions, statuses, exposures and outcomes live (in-memory or Redis). */
  store: ExperimentStore;
  /** Resolves a variant's label or version to a prompt (a registry or a caching client). @default none: assignments carry no prompt */
  prompts?: PromptReader;
  /** Receives `exposure`, `outcome` and `experiment:status` events. @default none */
  events?: PromptEventTarget;
  /**
   * How long a definition and status read from the store are reused, in milliseconds; a pause or
   * stop made by another process takes up to this long to be seen. 0 reads the store every time. @default 1000
   */
  definitionTtlMs?: number;
  /** Clock for `createdAt` and the definition cache. @default () => new Date() */
  now?: () => Date;
}

/** Input of {@link Experiments.create}. */
export interface CreateExperimentInput {
  id: string;
  /** Name of the prompt under test. */
  prompt: string;
  /** At least two variants, each with a `label` or a `version` and a positive `weight`. */
  variants: ExperimentVariant[];
  /** Control variant name. @default the first variant */
  control?: string;
  /** Bucketing salt. @default the experiment id */
  salt?: string;
}

/** What {@link Experiments.assign} returns: log `variant` and `version` with the model call. */
export interface Assignment {
  experimentId: string;
  unitId: string;
  /** The variant served. */
  variant: string;
  isControl: boolean;
  /** Experiment status at assignment time. */
  status: ExperimentStatus;
  /** `bucket` (running: the unit's hash bucket chose) or `paused` / `stopped` (control served). */
  reason: "bucket" | "paused" | "stopped";
  /** The unit's position in [0, 1) (see `bucketOf`). */
  bucket: number;
  /** The variant's label or version reference. */
  ref: PromptRef;
  /** Prompt version served (when a `prompts` reader is configured). */
  version?: number;
  /** The prompt to render (when a `prompts` reader is configured). */
  prompt?: ResolvedPrompt;
  /** Whether this call recorded an exposure (false when not running, not asked, or a fallback prompt was served). */
  exposed: boolean;
}

/** A/B experiments over prompt versions or labels. */
export interface Experiments {
  /**
   * Creates a running experiment. Idempotent for an identical definition.
   * @throws ValidationError for bad variants, or when the id exists with another definition
   *   (weights and variants are immutable: changing them would move units between variants).
   */
  create(input: CreateExperimentInput): Promise<ExperimentDefinition>;
  get(id: string): Promise<{ definition: ExperimentDefinition; status: ExperimentStatus }>;
  list(): Promise<string[]>;
  /** Sets the status; `paused` and `stopped` serve the control to everyone and record no exposures. */
  setStatus(id: string, status: ExperimentStatus): Promise<void>;
  /**
   * Assigns `unitId` (a user or session id) deterministically: the same unit gets the same
   * variant in every process (`bucketOf(salt, unitId)` against cumulative weights). Records the
   * exposure unless `record: false`.
   * @throws ValidationError for an unknown experiment or an empty unit id.
   */
  assign(id: string, unitId: string, options?: { record?: boolean }): Promise<Assignment>;
  /** Records that `unitId` converted on `metric` (counted once per unit). Units never exposed are not counted. */
  recordConversion(id: string, unitId: string, metric?: string): Promise<OutcomeResult>;
  /** Adds a numeric observation (e.g. a rating, tokens, revenue) to the unit's total for `metric`. */
  recordValue(id: string, unitId: string, metric: string, value: number): Promise<OutcomeResult>;
  /** Per-variant counts, rates, intervals, tests against the control, and a verdict. */
  report(id: string, options?: ReportOptions): Promise<ExperimentReport>;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function checkDefinitionInput(input: CreateExperimentInput) {
  checkPromptName(input.id);
  checkPromptName(input.prompt);
  if (!Array.isArray(input.variants) || input.variants.length < 2) {
    throw new ValidationError("an experiment needs at least two variants");
  }
  const names = new Set<string>();
  for (const v of input.variants) {
    if (!v || typeof v.name !== "string" || !NAME.test(v.name)) {
      throw new ValidationError(`invalid variant name ${JSON.stringify(v?.name)}`);
    }
    if (names.has(v.name)) throw new ValidationError(`duplicate variant ${v.name}`);
    names.add(v.name);
    if (!(typeof v.weight === "number" && Number.isFinite(v.weight) && v.weight > 0)) {
      throw new ValidationError(`variant ${v.name}: weight must be a positive number`);
    }
    if ((v.label === undefined) === (v.version === undefined)) {
      throw new ValidationError(`variant ${v.name}: give exactly one of label or version`);
    }
    if (v.label !== undefined) checkLabel(v.label, true);
    else checkVersion(v.version);
  }
  if (input.control !== undefined && !names.has(input.control)) {
    throw new ValidationError(`control ${input.control} is not a variant`);
  }
  if (input.salt !== undefined && (typeof input.salt !== "string" || !input.salt)) {
    throw new ValidationError("salt must be a non-empty string");
  }
}

function checkMetric(metric: string) {
  if (typeof metric !== "string" || !NAME.test(metric))
    throw new ValidationError(`invalid metric name ${JSON.stringify(metric)}`);
}

function checkUnit(unitId: string) {
  if (typeof unitId !== "string" || unitId.length === 0)
    throw new ValidationError("unitId must be a non-empty string");
}

/**
 * Creates the experiments API over a store.
 * @example
 * const experiments = createExperiments({ store: createInMemoryExperimentStore(), prompts: registry });
 * await experiments.create({ id: "qa-tone", prompt: "qa", variants: [
 *   { name: "control", label: "production", weight: 1 }, { name: "concise", label: "staging", weight: 1 }] });
 * const a = await experiments.assign("qa-tone", userId); // a.variant, a.version, a.prompt
 * await experiments.recordConversion("qa-tone", userId); // e.g. thumbs-up
 * (await experiments.report("qa-tone")).verdict;
 */
export function createExperiments(options: ExperimentsOptions): Experiments {
  const { store, prompts, events } = options;
  if (!store) throw new ValidationError("store is required");
  const ttl = options.definitionTtlMs ?? 1000;
  const now = options.now ?? (() => new Date());
  const cache = new Map<
    string,
    { at: number; value: { definition: ExperimentDefinition; status: ExperimentStatus } }
  >();

  async function load(id: string, fresh = false) {
    checkPromptName(id);
    const hit = cache.get(id);
    const t = now().getTime();
    if (!fresh && hit && t - hit.at < ttl) return hit.value;
    const value = await store.get(id);
    if (!value) throw new ValidationError(`experiment ${id} does not exist`);
    cache.set(id, { at: t, value });
    return value;
  }

  return {
    async create(input) {
      checkDefinitionInput(input);
      const definition: ExperimentDefinition = {
        id: input.id,
        prompt: input.prompt,
        variants: input.variants.map((v) => ({
          name: v.name,
          weight: v.weight,
          ...(v.label !== undefined ? { label: v.label } : { version: v.version }),
        })),
        control: input.control ?? input.variants[0]!.name,
        salt: input.salt ?? input.id,
        createdAt: now().toISOString(),
      };
      const stored = await store.create(definition);
      const same = (d: ExperimentDefinition) =>
        JSON.stringify({ ...d, createdAt: undefined }) ===
        JSON.stringify({ ...definition, createdAt: undefined });
      if (!same(stored)) {
        throw new ValidationError(`experiment ${input.id} exists with another definition; use a new id`);
      }
      cache.delete(input.id);
      return stored;
    },
    get: (id) => load(id, true),
    list: () => store.list(),
    async setStatus(id, status) {
      if (status !== "running" && status !== "paused" && status !== "stopped") {
        throw new ValidationError(`unknown status ${String(status)}`);
      }
      checkPromptName(id);
      const previous = await store.setStatus(id, status);
      if (previous === undefined) throw new ValidationError(`experiment ${id} does not exist`);
      cache.delete(id);
      emitPromptEvent(events, "experiment:status", { experimentId: id, status, previous });
    },
    async assign(id, unitId, opts = {}) {
      checkUnit(unitId);
      const { definition, status } = await load(id);
      const bucket = bucketOf(definition.salt, unitId);
      const running = status === "running";
      const chosen = running
        ? pickWeighted(definition.variants, bucket)
        : definition.variants.find((v) => v.name === definition.control)!;
      const ref: PromptRef =
        chosen.version !== undefined ? { version: chosen.version } : { label: chosen.label! };
      const prompt = prompts ? await prompts.get(definition.prompt, ref) : undefined;
      let variant = chosen.name;
      let exposed = false;
      if (running && opts.record !== false && prompt?.source !== "fallback") {
        const r = await store.recordExposure(id, unitId, chosen.name);
        variant = r.variant;
        exposed = true;
        emitPromptEvent(events, "exposure", {
          experimentId: id,
          unitId,
          variant,
          version: prompt?.version,
          first: r.first,
        });
      }
      return {
        experimentId: id,
        unitId,
        variant,
        isControl: variant === definition.control,
        status,
        reason: running ? "bucket" : status === "paused" ? "paused" : "stopped",
        bucket,
        ref,
        version: prompt?.version,
        prompt,
        exposed,
      };
    },
    async recordConversion(id, unitId, metric = "conversion") {
      checkPromptName(id);
      checkUnit(unitId);
      checkMetric(metric);
      const r = await store.recordConversion(id, unitId, metric);
      emitPromptEvent(events, "outcome", {
        experimentId: id,
        unitId,
        metric,
        kind: "conversion",
        variant: r.variant,
        recorded: r.recorded,
      });
      return r;
    },
    async recordValue(id, unitId, metric, value) {
      checkPromptName(id);
      checkUnit(unitId);
      checkMetric(metric);
      if (!(typeof value === "number" && Number.isFinite(value)))
        throw new ValidationError(`value must be a finite number, got ${value}`);
      const r = await store.recordValue(id, unitId, metric, value);
      emitPromptEvent(events, "outcome", {
        experimentId: id,
        unitId,
        metric,
        kind: "value",
        value,
        variant: r.variant,
        recorded: r.recorded,
      });
      return r;
    },
    async report(id, reportOptions) {
      const { definition, status } = await load(id, true);
      if (reportOptions?.metric !== undefined) checkMetric(reportOptions.metric);
      const alpha = reportOptions?.alpha;
      if (alpha !== undefined && !(alpha > 0 && alpha < 1))
        throw new ValidationError("alpha must be in (0, 1)");
      return buildReport(definition, status, await store.counts(id), reportOptions);
    },
  };
}
