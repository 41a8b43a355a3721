import type { Metadata } from "@ragloom/core";

/** The document format a loader produced; the structure-aware splitter reads it from `metadata.format`. */
export type DocumentFormat = "markdown" | "html" | "pdf" | "text";

/** What a file loader returns for one file. */
export interface ParsedFile {
  /**
   * The text to index. Markdown and HTML (converted to Markdown) keep their headings; PDF pages
   * are joined with a form feed (`\f`, U+000C), one per page break.
   */
  text: string;
  /** Title from front matter, `<title>`, PDF metadata or the first heading; absent when none. */
  title?: string;
  /** Extra metadata (front matter keys, `headings`, `pages`). */
  metadata: Metadata;
  format: DocumentFormat;
}

/** A parser for one family of files. */
export interface FileLoader {
  /** Name used in messages, e.g. `markdown`. */
  readonly name: string;
  /** Lower-case extensions with the dot, e.g. `[".md", ".markdown"]`. */
  readonly extensions: readonly string[];
  /**
   * Parses one file.
   * @param bytes - the file's content.
   * @param path - the file's path, for error messages.
   * @throws LoaderError when the content cannot be parsed.
   */
  parse(bytes: Uint8Array, path: string): Promise<ParsedFile>;
}
