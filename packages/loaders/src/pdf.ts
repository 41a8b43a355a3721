import { LoaderError } from "./errors.js";
import type { FileLoader, ParsedFile } from "./types.js";

/** Separates pages in a PDF document's text (form feed, U+000C, as pdftotext writes it). */
export const PAGE_BREAK = "\f";

let unpdf: Promise<typeof import("unpdf")> | undefined;
const loadUnpdf = () => {
  if (!unpdf) unpdf = import("unpdf");
  return unpdf;
};

/**
 * Extracts the text of a PDF page by page with unpdf (Mozilla's PDF.js). Pages are joined with
 * {@link PAGE_BREAK}, so the structure-aware splitter gives each chunk its `page` (1-based).
 * Metadata: `pages` (page count) and, from the PDF's info dictionary, `author` and `subject`
 * when present. The title is the info dictionary's `Title`.
 * @throws LoaderError `parse` for a corrupt or encrypted PDF, or one with no extractable text
 *   (a scanned PDF needs OCR first).
 */
export async function parsePdf(bytes: Uint8Array, path = "<pdf>"): Promise<ParsedFile> {
  const { getDocumentProxy, extractText, getMeta } = await loadUnpdf();
  let pages: string[];
  let info: Record<string, unknown> = {};
  try {
    // PDF.js takes ownership of (detaches) the buffer it is given: hand it a copy
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    try {
      pages = (await extractText(pdf, { mergePages: false })).text;
      info = ((await getMeta(pdf)).info ?? {}) as Record<string, unknown>;
    } finally {
      await pdf.loadingTask.destroy();
    }
  } catch (cause) {
    throw new LoaderError(path, "parse", `not a readable PDF (${(cause as Error).message})`, { cause });
  }
  const cleaned = pages.map((p) => p.replaceAll(PAGE_BREAK, " ").trim());
  if (cleaned.every((p) => p.length === 0))
    throw new LoaderError(path, "parse", "the PDF has no extractable text (scanned pages need OCR)");
  const result: ParsedFile = {
    text: cleaned.join(PAGE_BREAK),
    metadata: { pages: cleaned.length },
    format: "pdf",
  };
  const str = (v: unknown) => (typeof v === "string" ? v.trim() : "");
  if (str(info.Title)) result.title = str(info.Title);
  if (str(info.Author)) result.metadata.author = str(info.Author);
  if (str(info.Subject)) result.metadata.subject = str(info.Subject);
  return result;
}

/** Loads `.pdf` files with {@link parsePdf}. */
export const pdfLoader: FileLoader = {
  name: "pdf",
  extensions: [".pdf"],
  parse: (bytes, path) => parsePdf(bytes, path),
};
