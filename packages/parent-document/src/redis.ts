/**
 * `@ragloom/parent-document/redis`: a {@link DocStore} on Redis through ioredis, an optional
 * peer dependency imported only by this entry.
 * @module @ragloom/parent-document/redis
 */
export * from "./docstores/redis-docstore.js";
export type { DocStore, DocStoreKeysOptions } from "./docstores/types.js";
