import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { Document } from "@ragloom/core";
import { detectLanguage } from "./language.js";

/** Largest Markdown file indexed, in bytes (changelogs of some packages are huge). */
const MAX_FILE_BYTES = 256 * 1024;

interface PackageJson {
  name?: string;
  version?: string;
  license?: string | { type?: string };
}

function markdownFiles(dir: string, depth = 0): string[] {
  if (depth > 4 || !existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(path, depth + 1));
    else if (/\.mdx?$/i.test(entry.name) && statSync(path).size <= MAX_FILE_BYTES) out.push(path);
  }
  return out;
}

function titleOf(markdown: string, fallback: string): string {
  const heading = /^#{1,2}\s+(.+)$/m.exec(markdown);
  return (
    (heading?.[1] ?? fallback)
      .replace(/[`*_[\]]|<[^>]+>/g, "")
      .trim()
      .slice(0, 200) || fallback
  );
}

/** Directories of the packages installed in the given node_modules folders (scoped ones too), deduplicated. */
export function installedPackages(nodeModulesDirs: string[]): string[] {
  const seen = new Set<string>();
  for (const nm of nodeModulesDirs) {
    if (!existsSync(nm)) continue;
    for (const entry of readdirSync(nm)) {
      if (entry.startsWith(".")) continue;
      const dirs = entry.startsWith("@")
        ? readdirSync(join(nm, entry)).map((s) => join(nm, entry, s))
        : [join(nm, entry)];
      for (const dir of dirs) {
        if (!existsSync(join(dir, "package.json"))) continue;
        seen.add(realpathSync(dir));
      }
    }
  }
  return [...seen].sort();
}

/**
 * Reads the README and the Markdown files under `docs/` (and top-level *.md except changelogs)
 * of each package, with metadata `package`, `version`, `license`, `path` (inside the package)
 * `title` (first heading) and `language` (ISO 639-1 code detected by {@link detectLanguage}, or
 * `"und"`). Document ids are `package@version/path`.
 */
export function collectDocs(packageDirs: string[]): Document[] {
  const docs: Document[] = [];
  for (const dir of packageDirs) {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
    if (!pkg.name || pkg.name.startsWith("@ragloom/")) continue;
    const license = typeof pkg.license === "string" ? pkg.license : (pkg.license?.type ?? "UNKNOWN");
    const top = readdirSync(dir)
      .filter((f) => /\.mdx?$/i.test(f) && !/change|history|release|licen[cs]e|notice/i.test(f))
      .map((f) => join(dir, f));
    const files = [...top, ...markdownFiles(join(dir, "docs"))];
    for (const file of files) {
      const text = readFileSync(file, "utf8").trim();
      if (text.length < 40) continue;
      const path = relative(dir, file);
      docs.push({
        id: `${pkg.name}@${pkg.version}/${path}`,
        text,
        metadata: {
          package: pkg.name,
          version: pkg.version ?? "0.0.0",
          license,
          path,
          title: titleOf(text, path),
          language: detectLanguage(text),
        },
      });
    }
  }
  return docs;
}
