import type { CompressionWarning, WarningHandler } from "./types.js";

/** Default {@link WarningHandler}: prints the warning with `console.warn`. */
export const consoleWarning: WarningHandler = (w: CompressionWarning) => {
  console.warn(`[@ragloom/compression] ${w.compressor}: ${w.code}: ${w.message}`);
};
