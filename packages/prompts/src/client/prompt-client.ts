import { ValidationError, withTimeout } from "@ragloom/core";
import { emitPromptEvent, type PromptEventTarget } from "../events.js";
import {
  type PromptReader,
  type ResolvedPrompt,
  refKey,
  resolvePrompt,
  toRef,
} from "../registry/resolved-prompt.js";
import type { PromptRef } from "../stores/types.js";
import { hashContent, normalizeContent, type PromptContent } from "../template/content.js";
import { createPromptTemplate } from "../template/prompt-template.js";

/** Options of {@link createPromptClient}. */
export interface PromptClientOptions {
  /** Where prompts come from: a `PromptRegistry` (or any {@link PromptReader}). */
  source: PromptReader;
  /** How long a fetched label stays fresh, in milliseconds. Versions fetched by number never expire (they are immutable). @default 60000 */
  ttlMs?: number;
  /**
   * For this many milliseconds after `ttlMs`, a stale entry is still returned at once while one
   * background fetch refreshes it (stale-while-revalidate, as in RFC 5861). 0 disables it. @default 300000
   */
  staleWhileRevalidateMs?: number;
  /** Time limit of one fetch from the source, in milliseconds; 0 disables it. @default 2000 */
  timeoutMs?: number;
  /**
   * Fallback content per prompt name, served (with a `fallback` event, `source: "fallback"`,
   * `version: 0`) when the source fails and nothing is cached. @default {}
   */
  fallbacks?: Record<string, PromptContent>;
  /** Label read when `get` has no reference. @default "production" */
  defaultLabel?: string;
  /** Receives `cache:hit`, `cache:miss`, `cache:refresh-error` and `fallback` events. @default none */
  events?: PromptEventTarget;
  /** Clock in milliseconds. @default Date.now */
  now?: () => number;
}

/** A caching prompt reader. */
export interface PromptClient extends PromptReader {
  /**
   * Returns a prompt from the cache when fresh (or stale within the stale-while-revalidate
   * window, refreshing in the background), else from the source. When the source fails with
   * anything but a `ValidationError` (unreachable, timeout), serves the last cached version of any
   * age (`source: "stale-cache"`), else the configured fallback (`source: "fallback"`), emitting
   * `fallback` either way; with neither it rethrows.
   * @throws PromptNotFoundError / ValidationError from the source (never replaced by a fallback).
   * @throws ServiceError / TimeoutError when the source fails and there is no cache or fallback.
   */
  get(name: string, ref?: PromptRef | string | number): Promise<ResolvedPrompt>;
  /** Drops cached entries (of one prompt, or all). */
  invalidate(name?: string): void;
  /** Waits for running background refreshes (useful in tests and before shutdown). */
  settle(): Promise<void>;
}

interface Entry {
  prompt: ResolvedPrompt;
  fetchedAt: number;
}

/**
 * Creates a {@link PromptClient}: a client-side cache with a time to live, stale-while-revalidate
 * and fallback prompts in front of a registry.
 * @example
 * const prompts = createPromptClient({ source: registry, ttlMs: 30_000, fallbacks: { qa: { type: "text", template: "Q: {{question}}" } } });
 * const p = await prompts.get("qa"); // p.source: "store" | "cache" | "stale-cache" | "fallback"
 * @throws ValidationError for bad options or an invalid fallback template.
 */
export function createPromptClient(options: PromptClientOptions): PromptClient {
  const { source, events } = options;
  if (!source || typeof source.get !== "function") throw new ValidationError("source must be a PromptReader");
  const ttlMs = options.ttlMs ?? 60_000;
  const swrMs = options.staleWhileRevalidateMs ?? 300_000;
  const timeoutMs = options.timeoutMs ?? 2000;
  for (const [k, v] of Object.entries({ ttlMs, staleWhileRevalidateMs: swrMs, timeoutMs })) {
    if (!(typeof v === "number" && v >= 0)) throw new ValidationError(`${k} must be a number >= 0, got ${v}`);
  }
  const defaultLabel = options.defaultLabel ?? "production";
  const now = options.now ?? Date.now;
  const fallbacks = new Map<string, PromptContent>();
  for (const [name, content] of Object.entries(options.fallbacks ?? {})) {
    const normalized = normalizeContent(content);
    createPromptTemplate(normalized); // fail at start-up, not during an outage
    fallbacks.set(name, normalized);
  }
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<ResolvedPrompt>>();
  const background = new Set<Promise<unknown>>();

  const fetchInto = (key: string, name: string, ref: PromptRef) => {
    let p = inflight.get(key);
    if (!p) {
      p = withTimeout(() => source.get(name, ref), { timeoutMs, what: `fetching prompt ${name}` })
        .then((prompt) => {
          const cached = { ...prompt, ref, source: "cache" as const };
          cache.set(key, { prompt: cached, fetchedAt: now() });
          return { ...prompt, ref, source: "store" as const };
        })
        .finally(() => inflight.delete(key));
      inflight.set(key, p);
    }
    return p;
  };

  return {
    async get(name, refInput) {
      const ref = toRef(refInput, defaultLabel);
      const key = `${name}\u0000${refKey(ref)}`;
      const entry = cache.get(key);
      if (entry) {
        const age = now() - entry.fetchedAt;
        if (ref.version !== undefined || age < ttlMs) {
          emitPromptEvent(events, "cache:hit", { name, ref, version: entry.prompt.version, state: "fresh" });
          return entry.prompt;
        }
        if (age < ttlMs + swrMs) {
          emitPromptEvent(events, "cache:hit", { name, ref, version: entry.prompt.version, state: "stale" });
          if (!inflight.has(key)) {
            const refresh = fetchInto(key, name, ref).catch((error) =>
              emitPromptEvent(events, "cache:refresh-error", { name, ref, error }),
            );
            background.add(refresh);
            refresh.finally(() => background.delete(refresh));
          }
          return entry.prompt;
        }
      }
      emitPromptEvent(events, "cache:miss", { name, ref });
      try {
        return await fetchInto(key, name, ref);
      } catch (error) {
        if (error instanceof ValidationError) throw error;
        const last = cache.get(key);
        if (last) {
          emitPromptEvent(events, "fallback", { name, ref, source: "stale-cache", error });
          return { ...last.prompt, source: "stale-cache" };
        }
        const content = fallbacks.get(name);
        if (!content) throw error;
        emitPromptEvent(events, "fallback", { name, ref, source: "fallback", error });
        return resolvePrompt(
          {
            name,
            version: 0,
            hash: hashContent(content),
            content,
            author: "fallback",
            message: "fallback prompt (store unavailable)",
            createdAt: new Date(0).toISOString(),
          },
          ref,
          "fallback",
        );
      }
    },
    invalidate(name) {
      if (name === undefined) cache.clear();
      else for (const k of cache.keys()) if (k.startsWith(`${name}\u0000`)) cache.delete(k);
    },
    async settle() {
      while (background.size) await Promise.allSettled([...background]);
    },
  };
}
