import { mkdirSync, truncateSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";

/** A two-page PDF made with pdf-lib, with a Title in its info dictionary. */
export async function makePdf(title: string, pages: string[][]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(title);
  doc.setAuthor("Ragloom Tests");
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage();
    lines.forEach((line, i) => {
      page.drawText(line, { x: 50, y: 720 - i * 18, size: 12, font });
    });
  }
  return doc.save();
}

export const GUIDE_MD = `---
title: Circuit breaker guide
tags: [resilience, breakers]
published: 2024-03-01
draft: false
owner:
  team: platform
---
# Circuit breakers

A circuit breaker stops calling a failing service for a while.

## States

### Open

When the breaker is open, calls fail fast without reaching the service.

### Half-open

After the reset timeout one trial call is let through.

\`\`\`sh
# not a heading: a shell comment inside a code block
npm install opossum
\`\`\`

## Configuration

Set the error threshold percentage and the reset timeout in milliseconds.
`;

export const ARTICLE_HTML = `<!doctype html>
<html lang="en">
<head><title>Retry with exponential backoff | Example Docs</title></head>
<body>
  <nav><a href="/">Home</a> <a href="/pricing">Pricing</a> <a href="/login">Sign in to the dashboard</a></nav>
  <header><p>Example Docs navigation banner with links everywhere</p></header>
  <main>
    <article>
      <h1>Retry with exponential backoff</h1>
      <p>Retrying a failed request immediately often fails again. Exponential backoff waits
      longer after each failure: one second, then two, then four, up to a maximum delay.</p>
      <h2>Jitter</h2>
      <p>Adding random jitter to each delay keeps many clients from retrying at the same moment
      and overwhelming a service that is recovering from an outage.</p>
      <h2>When not to retry</h2>
      <p>Do not retry validation errors: a 400 response will fail the same way every time, so
      retrying only wastes requests and delays the error the caller needs to see.</p>
    </article>
  </main>
  <footer><p>Copyright Example Corp. Cookie settings. Terms of service.</p></footer>
  <script>window.analytics = true;</script>
</body>
</html>`;

export const PDF_PAGES = [
  ["Vector search handbook", "Chapter one explains cosine similarity between embeddings."],
  ["Chapter two covers BM25 lexical ranking with k1 and b parameters."],
];

/** Writes a mixed folder: Markdown, HTML, a real PDF, text, and files that must be skipped. */
export async function writeCorpus(root: string): Promise<void> {
  const put = (rel: string, data: string | Uint8Array) => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, data);
  };
  put("guide.md", GUIDE_MD);
  put("web/retries.html", ARTICLE_HTML);
  put("papers/handbook.pdf", await makePdf("Vector search handbook", PDF_PAGES));
  put("notes/todo.txt", "Remember to rotate the Redis credentials every ninety days.\n");
  put(".gitignore", "drafts/\n*.tmp.md\n");
  put("drafts/secret.md", "# Draft\n\nThis draft must not be indexed.\n");
  put("notes/scratch.tmp.md", "# Scratch\n\nIgnored by .gitignore.\n");
  put("node_modules/pkg/README.md", "# A dependency\n\nNever indexed.\n");
  put("notes/.gitignore", "private.txt\n");
  put("notes/private.txt", "ignored by a nested .gitignore\n");
  put("image.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
}

/** Writes files that cannot be loaded: binary data, bad UTF-8, a corrupt PDF, a 2 GiB sparse file. */
export function writeBadFiles(root: string): void {
  mkdirSync(join(root, "bad"), { recursive: true });
  writeFileSync(join(root, "bad/binary.txt"), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0]));
  writeFileSync(join(root, "bad/latin1.md"), new Uint8Array([0x23, 0x20, 0x43, 0x61, 0x66, 0xe9, 0x0a]));
  writeFileSync(join(root, "bad/corrupt.pdf"), "%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage\n%%EOF\n");
  // a real 2 GiB file (sparse, so it takes no disk space): skipped by size, never read
  writeFileSync(join(root, "bad/huge.txt"), "");
  truncateSync(join(root, "bad/huge.txt"), 2 * 1024 ** 3);
}
