import { EventEmitter } from "eventemitter3";
import type { PromptRef } from "./stores/types.js";

/** Payloads of every event `@ragloom/prompts` emits, by event name. */
export interface PromptEventMap {
  /** A publish finished; `created` is false when the content equalled the latest version (no-op). */
  publish: { name: string; version: number; hash: string; created: boolean; author: string; message: string };
  /** A label now points at another version (`from` undefined: new label; `to` undefined: deleted). */
  "label:move": {
    name: string;
    label: string;
    from?: number;
    to?: number;
    reason: "publish" | "set" | "rollback" | "delete";
  };
  /** The client cache answered; `state` is `fresh`, or `stale` (served while a refresh runs). */
  "cache:hit": { name: string; ref: PromptRef; version: number; state: "fresh" | "stale" };
  /** The client cache had nothing usable and asked the store. */
  "cache:miss": { name: string; ref: PromptRef };
  /** A background refresh (stale-while-revalidate) failed; the stale entry stays in use. */
  "cache:refresh-error": { name: string; ref: PromptRef; error: unknown };
  /**
   * The store was unreachable (or the prompt missing) and something else answered: `source` is
   * `stale-cache` (an expired cached version) or `fallback` (the configured fallback prompt).
   */
  fallback: { name: string; ref: PromptRef; source: "stale-cache" | "fallback"; error: unknown };
  /** A unit saw a variant; `first` is true the first time this unit was exposed in the experiment. */
  exposure: { experimentId: string; unitId: string; variant: string; version?: number; first: boolean };
  /** An outcome was reported; `recorded` is false when the unit was never exposed (not counted). */
  outcome: {
    experimentId: string;
    unitId: string;
    metric: string;
    kind: "conversion" | "value";
    value?: number;
    variant?: string;
    recorded: boolean;
  };
  /** An experiment was started, paused or stopped. */
  "experiment:status": { experimentId: string; status: string; previous?: string };
}

/** Name of a {@link PromptEventMap} event. */
export type PromptEventName = keyof PromptEventMap;

/** A typed eventemitter3 emitter of {@link PromptEventMap} events. */
export type PromptEvents = EventEmitter<{ [K in PromptEventName]: [PromptEventMap[K]] }>;

/** Anything with `emit(name, payload)`: a {@link PromptEvents}, core's event bus, a Node EventEmitter. */
export interface PromptEventTarget {
  emit(event: string, payload: unknown): unknown;
}

/**
 * Creates a typed event emitter (eventemitter3) to pass as `events` to the registry, client and
 * experiments.
 * @example
 * const events = createPromptEvents();
 * events.on("fallback", ({ name, error }) => log.warn(`prompt ${name} served from fallback`, error));
 */
export function createPromptEvents(): PromptEvents {
  return new EventEmitter() as PromptEvents;
}

/** Emits on `target` if any; a throwing listener never breaks the operation that emitted. */
export function emitPromptEvent<K extends PromptEventName>(
  target: PromptEventTarget | undefined,
  event: K,
  payload: PromptEventMap[K],
): void {
  if (!target) return;
  try {
    target.emit(event, payload);
  } catch {
    // listeners must not break publishing or assignment
  }
}
