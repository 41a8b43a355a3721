import type { ChatMessage, EventTarget, GenerateOptions, LanguageModel } from "@ragloom/core";
import { emitEvent, TimeoutError, throwIfAborted, ValidationError } from "@ragloom/core";
import type { WarningHandler } from "./types.js";
import { resolveWarning } from "./warnings.js";

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep input order.
 * Stops starting new calls once `signal` aborts and rejects with its reason.
 */
export async function mapConcurrent<I, O>(
  items: I[],
  limit: number,
  fn: (item: I, index: number) => Promise<O>,
  signal?: AbortSignal,
): Promise<O[]> {
  const out = new Array<O>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      throwIfAborted(signal);
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Validates `concurrency` and `timeoutMs` options. */
export function validateLlmOptions(concurrency: number, timeoutMs: number): void {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ValidationError("concurrency must be an integer >= 1");
  }
  if (!(timeoutMs > 0)) throw new ValidationError("timeoutMs must be > 0");
}

/** Outcome of one guarded model call. */
export type LlmOutcome =
  | { ok: true; text: string }
  | { ok: false; reason: "timeout" | "error"; error: unknown };

/**
 * Calls `model.generate` with a hard timeout of its own (in addition to the adapter's `timeoutMs`).
 * A failure or timeout becomes `{ ok: false }` so the caller can apply its safe default;
 * an abort of the caller's `signal` is rethrown (never swallowed).
 */
export async function guardedGenerate(
  model: LanguageModel,
  messages: ChatMessage[],
  options: GenerateOptions & { timeoutMs: number },
): Promise<LlmOutcome> {
  const { signal, timeoutMs } = options;
  throwIfAborted(signal);
  const timer = new AbortController();
  const handle = setTimeout(
    () => timer.abort(new TimeoutError(`${model.modelId} generate`, timeoutMs)),
    timeoutMs,
  );
  const combined = signal ? AbortSignal.any([signal, timer.signal]) : timer.signal;
  const aborted = new Promise<never>((_, reject) => {
    combined.addEventListener("abort", () => reject(combined.reason), { once: true });
  });
  try {
    const res = await Promise.race([model.generate(messages, { ...options, signal: combined }), aborted]);
    return { ok: true, text: res.text };
  } catch (error) {
    throwIfAborted(signal);
    const timedOut = timer.signal.aborted || error instanceof TimeoutError;
    return { ok: false, reason: timedOut ? "timeout" : "error", error };
  } finally {
    clearTimeout(handle);
    aborted.catch(() => {});
  }
}

/** Parses the first JSON object in `text` (models sometimes wrap it in prose or code fences). */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf("{");
  const end = text.lastIndexOf("}");
  if (start < 0 || end <= start) return undefined;
  try {
    const v = JSON.parse(text.slice(start, end + 1));
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Options shared by the LLM-backed compressors ({@link createLLMFilter}, {@link createLLMExtractor}). */
export interface LLMCompressorOptions {
  /** Model calls in flight at once. @default 2 */
  concurrency?: number;
  /** Time limit of one call in milliseconds; on expiry the safe default applies. @default 30000 */
  timeoutMs?: number;
  /**
   * What to do with a document when the answer cannot be parsed (or names nothing valid), or the
   * call fails or times out: `keep` returns it whole (safe: no evidence lost to a model glitch),
   * `drop` drops it. @default "keep"
   */
  onFailure?: "keep" | "drop";
  /**
   * Receives `llm-unparsable`, `llm-error` and `llm-timeout` warnings.
   * @default the handler passed down by `pipeline`/`withCompression`, else console.warn
   */
  onWarning?: WarningHandler;
  /**
   * Also reports each safe-default decision as a core `fallback` event
   * (`{ service: "llm", fallback: "<compressor>:keep|drop", error }`), e.g. into `createEventBus()`.
   * @default undefined
   */
  events?: EventTarget;
}

/** {@link LLMCompressorOptions} with defaults applied and the warning handler wired to `events`. */
export interface ResolvedLLMOptions {
  concurrency: number;
  timeoutMs: number;
  maxTokens: number;
  onFailure: "keep" | "drop";
  /**
   * The warning handler of one call: the compressor's own `onWarning`, else the call's
   * (`compress(..., { onWarning })`), else `console.warn`; each warning is also emitted to `events`.
   */
  warningsFor: (call: WarningHandler | undefined) => WarningHandler;
}

/**
 * Applies the defaults of {@link LLMCompressorOptions}, validates them, and returns a warning
 * handler that also emits a core `fallback` event for every safe-default decision.
 * @throws ValidationError for a bad `concurrency` or `timeoutMs`.
 */
export function resolveLlmOptions(
  options: LLMCompressorOptions & { maxTokens?: number },
  defaultMaxTokens: number,
): ResolvedLLMOptions {
  const { concurrency = 2, timeoutMs = 30_000, onFailure = "keep", onWarning: own, events } = options;
  validateLlmOptions(concurrency, timeoutMs);
  const warningsFor = (call: WarningHandler | undefined): WarningHandler => {
    const warn = resolveWarning(own, call);
    return (w) => {
      warn(w);
      emitEvent(events, "fallback", {
        service: "llm",
        fallback: `${w.compressor}:${onFailure}`,
        error: w.cause ?? w.message,
      });
    };
  };
  return { concurrency, timeoutMs, maxTokens: options.maxTokens ?? defaultMaxTokens, onFailure, warningsFor };
}
