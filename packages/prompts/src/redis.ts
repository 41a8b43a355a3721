/**
 * `@ragloom/prompts/redis`: prompt and experiment stores on Redis through ioredis, an optional
 * peer dependency imported only by this entry.
 * @module @ragloom/prompts/redis
 */

export * from "./experiments/redis-experiment-store.js";
export * from "./stores/redis-prompt-store.js";
