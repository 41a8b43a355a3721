export * from "./keyed-lock.js";
export * from "./manifest.js";
export * from "./manifest-store.js";
export * from "./write-protocol.js";
