import type { ChatMessage } from "@ragloom/core";
import type { PromptRef, PromptVersion } from "../stores/types.js";
import {
  createPromptTemplate,
  type PromptTemplate,
  type RenderOptions,
  type TemplateValues,
} from "../template/prompt-template.js";

/** Where a resolved prompt came from. */
export type PromptSource = "store" | "cache" | "stale-cache" | "fallback";

/** A fetched prompt version, ready to render. */
export interface ResolvedPrompt extends PromptVersion {
  /** The reference it was fetched by (`{ label }` or `{ version }`). */
  ref: PromptRef;
  /** `store`, `cache` (fresh or stale-while-revalidate), `stale-cache` (expired, store down) or `fallback`. */
  source: PromptSource;
  /** The compiled template. */
  template: PromptTemplate;
  /** Renders: a string for text prompts, messages for chat prompts. @throws TemplateVariablesError */
  format(values: TemplateValues, options?: RenderOptions): string | ChatMessage[];
  /** Renders as chat messages (a text prompt becomes one `user` message). @throws TemplateVariablesError */
  toMessages(values: TemplateValues, options?: RenderOptions): ChatMessage[];
}

/** A reader of prompts by name and reference: the registry, or a caching client around it. */
export interface PromptReader {
  /** Fetches a prompt; `ref` defaults to the reader's default label. */
  get(name: string, ref?: PromptRef | string | number): Promise<ResolvedPrompt>;
}

/** Builds a {@link ResolvedPrompt} from a stored version. */
export function resolvePrompt(version: PromptVersion, ref: PromptRef, source: PromptSource): ResolvedPrompt {
  const template = createPromptTemplate(version.content);
  return {
    ...version,
    ref,
    source,
    template,
    format: (values, options) => template.format(values, options),
    toMessages: (values, options) => template.toMessages(values, options),
  };
}

/** `"staging"` → `{ label }`, `3` → `{ version }`, objects as they are; undefined → `{ label: fallback }`. */
export function toRef(ref: PromptRef | string | number | undefined, defaultLabel: string): PromptRef {
  if (ref === undefined) return { label: defaultLabel };
  if (typeof ref === "string") return { label: ref };
  if (typeof ref === "number") return { version: ref };
  return ref;
}

/** `label:production` or `version:3`, for messages and cache keys. */
export function refKey(ref: PromptRef): string {
  return ref.version !== undefined ? `version:${ref.version}` : `label:${ref.label}`;
}
