import { EventEmitter } from "eventemitter3";
import type { Timings } from "../types/retriever.js";

/** Which cache an event is about. */
export type CacheKind = "embedding" | "result" | "semantic";

/** Payloads of every event the production layer emits, by event name. */
export interface RagloomEventMap {
  /** A retrieval started (emitted by `createRetriever` and by cache wrappers). */
  "retrieve:start": { query: string; k: number; mode?: string };
  /** A retrieval ended; `timings` in milliseconds per stage. */
  "retrieve:end": { query: string; k: number; count: number; timings: Timings; mode?: string };
  /** A retrieval failed. */
  "retrieve:error": { query: string; error: unknown };
  /** A cache answered. `layer` is `l1` (in-process) or `l2` (Redis); `distance` is the semantic-cache cosine distance. */
  "cache:hit": { cache: CacheKind; layer?: "l1" | "l2"; count?: number; distance?: number };
  /** A cache did not answer (`count` = missing keys of a batch look-up). */
  "cache:miss": { cache: CacheKind; count?: number; distance?: number };
  /** A cache back-end failed; the caller continued without it. */
  "cache:error": { cache: CacheKind; layer?: "l1" | "l2"; error: unknown };
  /** An entry left a cache before being read again (`reason`: `evict`, `expire`, `invalidate`, …). */
  "cache:evict": { cache: CacheKind; layer?: "l1" | "l2"; reason: string; count?: number };
  /** A call to `service` failed and will be retried after `delayMs` (approximate when jittered). */
  retry: { service: string; attempt: number; retriesLeft: number; error: unknown };
  /** The circuit breaker of `service` opened: calls fail fast for `resetTimeoutMs`. */
  "breaker:open": { service: string; resetTimeoutMs: number };
  /** The breaker lets one trial call through. */
  "breaker:half-open": { service: string };
  /** The breaker closed again: the service is healthy. */
  "breaker:close": { service: string };
  /** A call was rejected without being attempted because the breaker is open. */
  "breaker:reject": { service: string };
  /** A call to `service` failed and a fallback answered instead (`fallback` names it). */
  fallback: { service: string; fallback: string; error: unknown };
  /** A call to `service` failed (after retries); used for error counters. */
  "service:error": { service: string; operation: string; error: unknown };
  /** A call to `service` succeeded; `durationMs` of the whole call including retries. */
  "service:call": { service: string; operation: string; durationMs: number };
  /** Progress of an ingest (chunks indexed so far of `total`). */
  "ingest:progress": { done: number; total: number };
}

/** Name of a {@link RagloomEventMap} event. */
export type RagloomEventName = keyof RagloomEventMap;

/** A typed eventemitter3 emitter carrying {@link RagloomEventMap} events. */
export type EventBus = EventEmitter<{ [K in RagloomEventName]: [RagloomEventMap[K]] }>;

/**
 * Anything a wrapper can emit into: an {@link EventBus}, or any `emit(name, payload)` object
 * (a Node `EventEmitter`, the `events` sink of `createRetriever`).
 */
export interface EventSinkLike {
  emit(event: string, payload: unknown): unknown;
}

/** Alias of {@link EventSinkLike} (used by other ragloom packages; shadows the DOM `EventTarget` name when imported). */
export type EventTarget = EventSinkLike;

/**
 * Creates the typed event bus that every production-layer wrapper accepts as `events`.
 * Listener errors propagate to the emitter (eventemitter3 semantics), so keep listeners cheap.
 * @example
 * const events = createEventBus();
 * events.on("breaker:open", ({ service }) => console.warn(`${service} is down`));
 */
export function createEventBus(): EventBus {
  return new EventEmitter() as EventBus;
}

/** Emits `payload` on `target` when there is one; never throws from a listener. */
export function emitEvent<K extends RagloomEventName>(
  target: EventSinkLike | undefined,
  event: K,
  payload: RagloomEventMap[K],
): void {
  if (!target) return;
  try {
    target.emit(event, payload);
  } catch {
    // a faulty listener must not break the call that emitted
  }
}
