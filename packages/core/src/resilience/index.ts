export * from "./retry.js";
export * from "./timeout.js";
