import type { CompressionWarning, WarningHandler } from "./types.js";

/** Default {@link WarningHandler}: prints the warning with `console.warn`. */
export const consoleWarning: WarningHandler = (w: CompressionWarning) => {
  console.warn(`[@ragloom/compression] ${w.compressor}: ${w.code}: ${w.message}`);
};

/**
 * The handler a compressor uses for one call: its own `onWarning` if it was given one, else the
 * call's (`compress(..., { onWarning })`, passed down by `pipeline` and `withCompression`), else
 * {@link consoleWarning}.
 */
export function resolveWarning(
  own: WarningHandler | undefined,
  call: WarningHandler | undefined,
): WarningHandler {
  return own ?? call ?? consoleWarning;
}
