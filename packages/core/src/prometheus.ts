/**
 * `@ragloom/core/prometheus`: Prometheus metrics of the production layer with prom-client (an
 * optional peer dependency, loaded only by this entry).
 * @module @ragloom/core/prometheus
 */
import * as promClient from "prom-client";
import type { EventBus } from "./events/event-bus.js";
import type { CircuitBreaker } from "./resilience/circuit-breaker.js";

/** Options of {@link createPrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** The event bus the retrievers, caches and wrappers emit into. */
  events: EventBus;
  /** Registry to register into. @default prom-client's global `register` */
  registry?: promClient.Registry;
  /** Metric name prefix. @default "ragloom_" */
  prefix?: string;
  /** Breakers whose state is exported as a gauge (0 closed, 1 half-open, 2 open). @default [] */
  breakers?: CircuitBreaker[];
  /**
   * Histogram buckets in seconds. @default [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
   * 0.25, 0.5, 1, 2.5, 5, 10] (prom-client's defaults extended below 5 ms for cache hits)
   */
  buckets?: number[];
}

/** The metrics created by {@link createPrometheusMetrics}. */
export interface PrometheusMetrics {
  registry: promClient.Registry;
  /** Stops listening to the bus (metrics stay registered). */
  detach(): void;
}

const STATE = { closed: 0, "half-open": 1, open: 2 } as const;

/**
 * Subscribes Prometheus metrics to an event bus:
 * `ragloom_retrievals_total{status}`, `ragloom_errors_total{service,operation}`,
 * `ragloom_stage_duration_seconds{stage}` (embed, search, lexical, fuse, rerank, cache, total),
 * `ragloom_service_duration_seconds{service,operation}`, `ragloom_cache_requests_total{cache,layer,result}`,
 * `ragloom_cache_hit_ratio{cache}`, `ragloom_retries_total{service}`,
 * `ragloom_breaker_state{service}` (0 closed, 1 half-open, 2 open), `ragloom_breaker_transitions_total{service,state}`.
 */
export function createPrometheusMetrics(options: PrometheusMetricsOptions): PrometheusMetrics {
  const registry = options.registry ?? promClient.register;
  const p = options.prefix ?? "ragloom_";
  const buckets = options.buckets ?? [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
  ];
  const registers = [registry];
  const retrievals = new promClient.Counter({
    name: `${p}retrievals_total`,
    help: "Retrievals by outcome",
    labelNames: ["status"],
    registers,
  });
  const errors = new promClient.Counter({
    name: `${p}errors_total`,
    help: "Failed calls to dependencies (after retries)",
    labelNames: ["service", "operation"],
    registers,
  });
  const stages = new promClient.Histogram({
    name: `${p}stage_duration_seconds`,
    help: "Retrieval stage latency",
    labelNames: ["stage"],
    buckets,
    registers,
  });
  const calls = new promClient.Histogram({
    name: `${p}service_duration_seconds`,
    help: "Latency of calls to dependencies, retries included",
    labelNames: ["service", "operation"],
    buckets,
    registers,
  });
  const cacheRequests = new promClient.Counter({
    name: `${p}cache_requests_total`,
    help: "Cache look-ups by result",
    labelNames: ["cache", "layer", "result"],
    registers,
  });
  const retries = new promClient.Counter({
    name: `${p}retries_total`,
    help: "Retried calls",
    labelNames: ["service"],
    registers,
  });
  const transitions = new promClient.Counter({
    name: `${p}breaker_transitions_total`,
    help: "Circuit breaker state changes",
    labelNames: ["service", "state"],
    registers,
  });
  const hitsBy = new Map<string, { hits: number; total: number }>();
  const breakerState = new Map<string, number>();
  for (const b of options.breakers ?? []) breakerState.set(b.service, STATE[b.state]);
  new promClient.Gauge({
    name: `${p}cache_hit_ratio`,
    help: "Cache hits / look-ups since start",
    labelNames: ["cache"],
    registers,
    collect() {
      for (const [cache, c] of hitsBy) this.set({ cache }, c.total ? c.hits / c.total : 0);
    },
  });
  new promClient.Gauge({
    name: `${p}breaker_state`,
    help: "Circuit breaker state: 0 closed, 1 half-open, 2 open",
    labelNames: ["service"],
    registers,
    collect() {
      for (const b of options.breakers ?? []) breakerState.set(b.service, STATE[b.state]);
      for (const [service, s] of breakerState) this.set({ service }, s);
    },
  });
  const count = (cache: string, hit: boolean, n: number) => {
    const c = hitsBy.get(cache) ?? { hits: 0, total: 0 };
    c.total += n;
    if (hit) c.hits += n;
    hitsBy.set(cache, c);
  };

  const { events } = options;
  const listeners: Array<[string, (e: never) => void]> = [
    [
      "retrieve:end",
      (e: { timings: Record<string, number | undefined> }) => {
        retrievals.inc({ status: "ok" });
        for (const [stage, ms] of Object.entries(e.timings))
          if (ms !== undefined) stages.observe({ stage }, ms / 1000);
      },
    ],
    ["retrieve:error", () => retrievals.inc({ status: "error" })],
    [
      "service:error",
      (e: { service: string; operation: string }) =>
        errors.inc({ service: e.service, operation: e.operation }),
    ],
    [
      "service:call",
      (e: { service: string; operation: string; durationMs: number }) =>
        calls.observe({ service: e.service, operation: e.operation }, e.durationMs / 1000),
    ],
    [
      "cache:hit",
      (e: { cache: string; layer?: string; count?: number }) => {
        cacheRequests.inc({ cache: e.cache, layer: e.layer ?? "", result: "hit" }, e.count ?? 1);
        count(e.cache, true, e.count ?? 1);
      },
    ],
    [
      "cache:miss",
      (e: { cache: string; count?: number }) => {
        cacheRequests.inc({ cache: e.cache, layer: "", result: "miss" }, e.count ?? 1);
        count(e.cache, false, e.count ?? 1);
      },
    ],
    ["retry", (e: { service: string }) => retries.inc({ service: e.service })],
    ...(["open", "half-open", "close"] as const).map(
      (s) =>
        [
          `breaker:${s}`,
          (e: { service: string }) => {
            const state = s === "close" ? "closed" : s;
            breakerState.set(e.service, STATE[state]);
            transitions.inc({ service: e.service, state });
          },
        ] as [string, (e: never) => void],
    ),
  ];
  const bus = events as unknown as {
    on(n: string, f: (e: never) => void): void;
    off(n: string, f: (e: never) => void): void;
  };
  for (const [name, fn] of listeners) bus.on(name, fn);
  return {
    registry,
    detach() {
      for (const [name, fn] of listeners) bus.off(name, fn);
    },
  };
}
