import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type LoaderWarning,
  listFiles,
  loadDirectory,
  parseHtml,
  parseMarkdown,
  parsePdf,
  StructureAwareSplitter,
} from "../src/index.js";
import { ARTICLE_HTML, GUIDE_MD, makePdf, PDF_PAGES, writeBadFiles, writeCorpus } from "./fixtures.js";

const root = mkdtempSync(join(tmpdir(), "ragloom-loaders-"));
beforeAll(async () => {
  await writeCorpus(root);
  writeBadFiles(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("Markdown", () => {
  it("turns front matter into metadata and keeps the headings in the text", () => {
    const md = parseMarkdown(GUIDE_MD);
    expect(md.title).toBe("Circuit breaker guide");
    expect(md.metadata).toMatchObject({
      title: "Circuit breaker guide",
      tags: ["resilience", "breakers"],
      published: Date.UTC(2024, 2, 1),
      draft: false,
      "owner.team": "platform",
      headings: ["Circuit breakers", "States", "Open", "Half-open", "Configuration"],
    });
    expect(md.text.startsWith("# Circuit breakers")).toBe(true);
    expect(md.text).not.toContain("owner:");
  });

  it("rejects invalid front matter with a LoaderError naming the file", () => {
    expect(() => parseMarkdown("---\ntitle: [unclosed\n---\n# x\n", "docs/a.md")).toThrow(
      /docs\/a\.md: invalid YAML front matter/,
    );
  });
});

describe("structure-aware splitter", () => {
  it("splits at headings first, so every chunk carries its section path", () => {
    const md = parseMarkdown(GUIDE_MD);
    const splitter = new StructureAwareSplitter({ chunkSize: 400, chunkOverlap: 0 });
    const chunks = splitter.splitDocuments([
      { id: "guide.md", text: md.text, metadata: { format: "markdown" } },
    ]);
    const bySection = chunks.map((c) => c.metadata.section);
    expect(bySection).toEqual([
      "Circuit breakers",
      "Circuit breakers > States > Open",
      "Circuit breakers > States > Half-open",
      "Circuit breakers > Configuration",
    ]);
    const halfOpen = chunks[2]!;
    expect(halfOpen.text).toContain("# not a heading"); // the code block stays in its section
    expect(halfOpen.metadata.headings).toEqual(["Circuit breakers", "States", "Half-open"]);
    // the empty "States" section joins "Open"
    expect(chunks[1]!.text.startsWith("## States")).toBe(true);
    for (const c of chunks) {
      expect(md.text.slice(Number(c.metadata.start), Number(c.metadata.end))).toBe(c.text);
      expect(c.metadata.parentId).toBe("guide.md");
    }
    expect(chunks.map((c) => c.id)).toEqual(["guide.md#0", "guide.md#1", "guide.md#2", "guide.md#3"]);
  });

  it("splits a long section further with the recursive splitter, never across sections", () => {
    const text = `# A\n\n${"alpha beta gamma. ".repeat(40)}\n\n# B\n\nshort`;
    const chunks = new StructureAwareSplitter({ chunkSize: 200, chunkOverlap: 20 }).splitStructured(
      text,
      "markdown",
    );
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.at(-1)).toMatchObject({ text: "# B\n\nshort", headings: ["B"] });
    expect(chunks.slice(0, -1).every((c) => c.headings[0] === "A" && !c.text.includes("# B"))).toBe(true);
  });

  it("gives PDF chunks their page number and plain text no section", () => {
    const s = new StructureAwareSplitter({ chunkSize: 100, chunkOverlap: 0 });
    expect(s.splitStructured("one\fpage two text\f\fpage four", "pdf").map((c) => [c.text, c.page])).toEqual([
      ["one", 1],
      ["page two text", 2],
      ["page four", 4],
    ]);
    expect(s.splitStructured("# not markdown here", "text")[0]!.headings).toEqual([]);
  });
});

describe("HTML", () => {
  it("keeps the main content as Markdown with its headings, drops navigation and footers", async () => {
    const html = await parseHtml(ARTICLE_HTML);
    expect(html.title).toMatch(/^Retry with exponential backoff/);
    expect(html.metadata.headings).toEqual(["Retry with exponential backoff", "Jitter", "When not to retry"]);
    expect(html.metadata.lang).toBe("en");
    expect(html.text).toMatch(/^## Jitter$/m);
    expect(html.text).toContain("random jitter");
    for (const boilerplate of ["Pricing", "Cookie settings", "analytics", "navigation banner"])
      expect(html.text).not.toContain(boilerplate);
    const chunks = new StructureAwareSplitter({ chunkSize: 300, chunkOverlap: 0 }).splitStructured(
      html.text,
      "html",
    );
    expect(chunks.some((c) => c.headings.at(-1) === "Jitter" && c.text.includes("jitter"))).toBe(true);
  });
});

describe("PDF", () => {
  it("extracts text per page with page numbers and the title", async () => {
    const pdf = await parsePdf(await makePdf("Vector search handbook", PDF_PAGES));
    expect(pdf.title).toBe("Vector search handbook");
    expect(pdf.metadata).toMatchObject({ pages: 2, author: "Ragloom Tests" });
    const pages = pdf.text.split("\f");
    expect(pages).toHaveLength(2);
    expect(pages[1]).toContain("BM25 lexical ranking");
  });

  it("rejects a corrupt PDF with a LoaderError", async () => {
    await expect(parsePdf(new TextEncoder().encode("%PDF-1.4 nonsense"), "x.pdf")).rejects.toMatchObject({
      code: "ERR_LOADER",
      reason: "parse",
      path: "x.pdf",
    });
  });
});

describe("directory loader", () => {
  it("lists loadable files, honouring .gitignore (nested too), excludes and node_modules", async () => {
    const { files } = await listFiles(root, { base: root });
    expect(files.map((f) => f.path)).toEqual([
      "bad/binary.txt",
      "bad/corrupt.pdf",
      "bad/latin1.md",
      "guide.md",
      "notes/todo.txt",
      "papers/handbook.pdf",
      "web/retries.html",
    ]);
    const only = await listFiles(root, {
      base: root,
      include: ["**/*.md"],
      exclude: ["bad/**"],
      gitignore: false,
    });
    expect(only.files.map((f) => f.path)).toEqual(["drafts/secret.md", "guide.md", "notes/scratch.tmp.md"]);
  });

  it("loads Markdown, HTML, PDF and text with { source, path, title, mtime, sha256 }, skipping bad files with a warning naming each", async () => {
    const warnings: LoaderWarning[] = [];
    const { documents, warnings: returned } = await loadDirectory(root, {
      base: join(root, ".."),
      onWarning: (w) => warnings.push(w),
    });
    expect(returned).toEqual(warnings);
    const reasons = Object.fromEntries(warnings.map((w) => [w.path.split("/").pop(), w.reason]));
    expect(reasons).toEqual({
      "huge.txt": "too-large",
      "binary.txt": "binary",
      "latin1.md": "encoding",
      "corrupt.pdf": "parse",
    });
    for (const w of warnings) expect(w.message).toContain(w.path);
    const prefix = root.split("/").pop();
    const byPath = Object.fromEntries(documents.map((d) => [d.metadata.path, d]));
    expect(Object.keys(byPath).sort()).toEqual([
      "guide.md",
      "notes/todo.txt",
      "papers/handbook.pdf",
      "web/retries.html",
    ]);
    const pdf = byPath["papers/handbook.pdf"]!;
    expect(pdf.id).toBe(`${prefix}/papers/handbook.pdf`);
    expect(pdf.metadata).toMatchObject({
      source: `${prefix}/papers/handbook.pdf`,
      path: "papers/handbook.pdf",
      title: "Vector search handbook",
      format: "pdf",
      pages: 2,
    });
    expect(pdf.metadata.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof pdf.metadata.mtime).toBe("number");
    expect(byPath["notes/todo.txt"]!.metadata).toMatchObject({ title: "todo", format: "text" });
    expect(byPath["guide.md"]!.metadata).toMatchObject({
      title: "Circuit breaker guide",
      format: "markdown",
    });
    expect(byPath["web/retries.html"]!.metadata.format).toBe("html");
  });

  it("honours the .gitignore files of parent folders up to the top of the git work tree", async () => {
    const repo = mkdtempSync(join(tmpdir(), "ragloom-repo-"));
    try {
      mkdirSync(join(repo, ".git"));
      mkdirSync(join(repo, "docs/api"), { recursive: true });
      writeFileSync(join(repo, ".gitignore"), "docs/api/\n");
      writeFileSync(join(repo, "docs/guide.md"), "# Guide\n");
      writeFileSync(join(repo, "docs/api/index.html"), "<h1>Generated</h1>");
      const { files } = await listFiles(join(repo, "docs"), { base: repo });
      expect(files.map((f) => f.source)).toEqual(["docs/guide.md"]);
      const all = await listFiles(join(repo, "docs"), { base: repo, gitignore: false });
      expect(all.files.map((f) => f.source)).toEqual(["docs/api/index.html", "docs/guide.md"]);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("rejects a missing directory and a bad size limit", async () => {
    await expect(listFiles(join(root, "nope"))).rejects.toThrow(/is not a directory/);
    await expect(listFiles(root, { maxFileSize: 0 })).rejects.toThrow(/maxFileSize/);
  });
});
