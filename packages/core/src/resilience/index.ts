export * from "./circuit-breaker.js";
export * from "./retry.js";
export * from "./timeout.js";
export * from "./with-embedder-resilience.js";
export * from "./with-resilience.js";
