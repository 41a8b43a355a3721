/**
 * `@ragloom/prompts`: versioned prompt templates (mustache, text and chat), a registry with
 * immutable versions and movable labels, in-memory and file-system stores, a caching client with
 * stale-while-revalidate and fallbacks, and A/B experiments with sticky bucketing and statistics.
 * The Redis stores live in `@ragloom/prompts/redis` (ioredis is an optional peer).
 * @module @ragloom/prompts
 */

export * from "./client/prompt-client.js";
export * from "./errors.js";
export * from "./events.js";
export * from "./experiments/bucketing.js";
export * from "./experiments/experiments.js";
export * from "./experiments/in-memory-experiment-store.js";
export * from "./experiments/report.js";
export * from "./experiments/stats.js";
export type * from "./experiments/types.js";
export * from "./registry/diff.js";
export * from "./registry/prompt-registry.js";
export * from "./registry/resolved-prompt.js";
export type { FileLockOptions } from "./stores/file-lock.js";
export * from "./stores/file-system-prompt-store.js";
export * from "./stores/in-memory-prompt-store.js";
export type { PromptRecord, StoredVersion } from "./stores/record.js";
export type * from "./stores/types.js";
export { checkLabel, checkPromptName, checkVersion, LATEST } from "./stores/validate.js";
export * from "./template/content.js";
export * from "./template/limits.js";
export * from "./template/parse.js";
export * from "./template/prompt-template.js";
