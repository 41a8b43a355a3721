import { extname } from "node:path";
import { htmlLoader } from "./html.js";
import { markdownLoader } from "./markdown.js";
import { pdfLoader } from "./pdf.js";
import { textLoader } from "./text.js";
import type { FileLoader } from "./types.js";

/** The built-in loaders: Markdown, HTML, PDF and plain text. */
export const defaultLoaders: readonly FileLoader[] = [markdownLoader, htmlLoader, pdfLoader, textLoader];

/** The loader for a file name by its extension (case-insensitive), or undefined. */
export function loaderFor(
  path: string,
  loaders: readonly FileLoader[] = defaultLoaders,
): FileLoader | undefined {
  const ext = extname(path).toLowerCase();
  return loaders.find((l) => l.extensions.includes(ext));
}
