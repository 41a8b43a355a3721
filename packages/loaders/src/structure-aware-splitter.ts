import { type Document, RecursiveTextSplitter, type TextChunk } from "@ragloom/core";
import { markdownHeadings } from "./markdown.js";
import { PAGE_BREAK } from "./pdf.js";
import type { DocumentFormat } from "./types.js";

/** A chunk with its place in the document's structure. */
export interface StructuredChunk extends TextChunk {
  /** Titles of the enclosing headings, outermost first (empty before the first heading). */
  headings: string[];
  /** 1-based page number (PDF only). */
  page?: number;
}

interface Section {
  start: number;
  end: number;
  headings: string[];
  page?: number;
}

/**
 * A structure-aware splitter: Markdown (and HTML, which the HTML loader converts to Markdown) is
 * cut at every heading first, PDFs at every page break (`\f`), then each section is split by the
 * recursive splitter it extends (same `chunkSize`, `chunkOverlap`, `lengthFunction`). A chunk
 * never spans two sections, so it carries its section path and page. A heading with no text
 * before the next heading joins the next section. The format is read from `metadata.format`
 * (`markdown`, `html`, `pdf`; anything else is plain text), as the loaders set it.
 *
 * Drop-in for `createRetriever({ splitter })`: `splitDocuments` gives chunk `i` of document `d`
 * id `${d.id}#${i}` and metadata `{ ...d.metadata, parentId, chunkIndex, start, end }` plus
 * `section` (`"Guide > Install > Linux"`), `headings` (the same as an array) and `page`.
 * Offsets are UTF-16 code units into the document text; every chunk is an exact slice of it.
 */
export class StructureAwareSplitter extends RecursiveTextSplitter {
  /** Splits `text` of the given format into chunks with offsets, section path and page. */
  splitStructured(text: string, format: DocumentFormat | string = "text"): StructuredChunk[] {
    const out: StructuredChunk[] = [];
    for (const section of this.sections(text, format)) {
      const slice = text.slice(section.start, section.end);
      for (const c of this.splitWithOffsets(slice)) {
        const chunk: StructuredChunk = {
          text: c.text,
          start: c.start + section.start,
          end: c.end + section.start,
          headings: section.headings,
        };
        if (section.page !== undefined) chunk.page = section.page;
        out.push(chunk);
      }
    }
    return out;
  }

  override splitDocuments(documents: Document[]): Document[] {
    const out: Document[] = [];
    for (const doc of documents) {
      const format = typeof doc.metadata?.format === "string" ? doc.metadata.format : "text";
      this.splitStructured(doc.text, format).forEach((c, i) => {
        const metadata: Document["metadata"] = {
          ...doc.metadata,
          parentId: doc.id,
          chunkIndex: i,
          start: c.start,
          end: c.end,
        };
        if (c.headings.length > 0) {
          metadata.section = c.headings.join(" > ");
          metadata.headings = c.headings;
        } else {
          delete metadata.headings;
        }
        if (c.page !== undefined) metadata.page = c.page;
        out.push({ id: `${doc.id}#${i}`, text: c.text, metadata });
      });
    }
    return out;
  }

  private sections(text: string, format: string): Section[] {
    if (format === "pdf") {
      const out: Section[] = [];
      let start = 0;
      text.split(PAGE_BREAK).forEach((page, i) => {
        out.push({ start, end: start + page.length, headings: [], page: i + 1 });
        start += page.length + PAGE_BREAK.length;
      });
      return out;
    }
    if (format !== "markdown" && format !== "html") return [{ start: 0, end: text.length, headings: [] }];
    const headings = markdownHeadings(text);
    const out: Section[] = [];
    if (headings.length === 0 || headings[0]!.start > 0)
      out.push({ start: 0, end: headings[0]?.start ?? text.length, headings: [] });
    const path: Array<{ depth: number; text: string }> = [];
    let pendingStart: number | undefined;
    headings.forEach((h, i) => {
      while (path.length > 0 && path[path.length - 1]!.depth >= h.depth) path.pop();
      path.push({ depth: h.depth, text: h.text });
      const end = headings[i + 1]?.start ?? text.length;
      const start = pendingStart ?? h.start;
      const body = text.slice(h.end, end);
      if (body.trim().length === 0 && i + 1 < headings.length) {
        pendingStart = start; // an empty section joins the next one
        return;
      }
      pendingStart = undefined;
      out.push({ start, end, headings: path.map((p) => p.text).filter(Boolean) });
    });
    return out;
  }
}
