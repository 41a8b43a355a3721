import { ValidationError } from "../errors/errors.js";
import type { CircuitBreaker } from "../resilience/circuit-breaker.js";
import { withTimeout } from "../resilience/timeout.js";

/** A readiness probe: resolves when the dependency answers, throws otherwise. */
export type HealthProbe = (signal: AbortSignal) => Promise<unknown>;

/** One dependency of {@link createHealthCheck}. */
export interface HealthDependency {
  check: HealthProbe;
  /** A critical dependency being down makes readiness `down`; a non-critical one `degraded`. @default true */
  critical?: boolean;
  /** Time limit of this probe in milliseconds. @default the health check's `timeoutMs` */
  timeoutMs?: number;
  /** Its breaker, whose state is reported next to the probe. */
  breaker?: CircuitBreaker;
}

/** Options of {@link createHealthCheck}. */
export interface HealthCheckOptions {
  /** Dependencies by name (`chroma`, `redis`, `embedder`, …): a probe or a {@link HealthDependency}. */
  dependencies: Record<string, HealthProbe | HealthDependency>;
  /** Default probe time limit in milliseconds. @default 2000 */
  timeoutMs?: number;
}

/** Result of one probe. */
export interface DependencyReport {
  status: "up" | "down";
  critical: boolean;
  /** Probe duration in milliseconds. */
  latencyMs: number;
  /** Error message when down. */
  error?: string;
  breaker?: "closed" | "open" | "half-open";
}

/** Readiness report. `status`: `up` (all up), `degraded` (only non-critical down), `down`. */
export interface ReadinessReport {
  status: "up" | "degraded" | "down";
  checkedAt: string;
  durationMs: number;
  dependencies: Record<string, DependencyReport>;
}

/** Liveness report: the process answers. */
export interface LivenessReport {
  status: "up";
  uptimeSeconds: number;
  checkedAt: string;
}

/** What {@link createHealthCheck} returns. */
export interface HealthCheck {
  /** Cheap: no I/O. For a Kubernetes `livenessProbe`. */
  liveness(): LivenessReport;
  /** Probes every dependency in parallel, each within its time limit. For a `readinessProbe`. */
  readiness(options?: { signal?: AbortSignal }): Promise<ReadinessReport>;
  /** Alias of `readiness` plus liveness fields. */
  health(options?: { signal?: AbortSignal }): Promise<ReadinessReport & { uptimeSeconds: number }>;
}

/**
 * Builds liveness and readiness checks (the Kubernetes probe model). Probes run in parallel, each
 * bounded by its timeout, and never throw: failures are reported. Useful probes:
 * `(signal) => store.ping({ signal })`, `redisProbe(client)` from `@ragloom/core/redis`,
 * `(signal) => embedder.embedQuery("ping", { signal })`.
 * @throws ValidationError when a dependency has no `check` function.
 */
export function createHealthCheck(options: HealthCheckOptions): HealthCheck {
  const timeoutMs = options.timeoutMs ?? 2000;
  const deps = Object.entries(options.dependencies).map(([name, d]) => {
    const dep: HealthDependency = typeof d === "function" ? { check: d } : d;
    if (typeof dep?.check !== "function")
      throw new ValidationError(`dependency "${name}" needs a check function`);
    return [name, dep] as const;
  });
  const started = performance.now();
  const liveness = (): LivenessReport => ({
    status: "up",
    uptimeSeconds: (performance.now() - started) / 1000,
    checkedAt: new Date().toISOString(),
  });
  const readiness = async (opts: { signal?: AbortSignal } = {}): Promise<ReadinessReport> => {
    const t0 = performance.now();
    const reports = await Promise.all(
      deps.map(async ([name, dep]): Promise<[string, DependencyReport]> => {
        const t = performance.now();
        const critical = dep.critical ?? true;
        const breaker = dep.breaker?.state;
        try {
          await withTimeout(dep.check, {
            timeoutMs: dep.timeoutMs ?? timeoutMs,
            signal: opts.signal,
            what: `${name} probe`,
          });
          return [
            name,
            { status: "up", critical, latencyMs: performance.now() - t, ...(breaker && { breaker }) },
          ];
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return [
            name,
            {
              status: "down",
              critical,
              latencyMs: performance.now() - t,
              error: message,
              ...(breaker && { breaker }),
            },
          ];
        }
      }),
    );
    const dependencies = Object.fromEntries(reports);
    const down = reports.filter(([, r]) => r.status === "down");
    const status = down.some(([, r]) => r.critical) ? "down" : down.length ? "degraded" : "up";
    return { status, checkedAt: new Date().toISOString(), durationMs: performance.now() - t0, dependencies };
  };
  return {
    liveness,
    readiness,
    async health(opts) {
      return { ...(await readiness(opts)), uptimeSeconds: liveness().uptimeSeconds };
    },
  };
}
