/**
 * The TypeScript and JavaScript code blocks of the READMEs, as the consumer test runs them.
 *
 * Every ```ts, ```typescript, ```js (and ```mjs) block of `README.md` and `packages/<name>/README.md` is a
 * snippet, run verbatim in a fresh consumer project. An HTML comment on the line before the fence
 * (invisible on GitHub and npm) changes how, with `;`-separated directives:
 *
 * - `no-run: <reason>`: not run and not type-checked (a type signature, a fragment of a function);
 *   the reason is the rest of the comment and is shown in the test name.
 * - `prelude=<name>`: `test/consumer/preludes/<name>.ts` is prepended, for a block that continues
 *   an earlier one ("as above"): it declares what the block uses but does not define.
 * - `server`: the block starts a server that runs until a signal: it passes when it prints a URL
 *   to stdout, then exits with code 0 on SIGTERM.
 * - `mcp-stdio`: the block is an MCP server on stdio: it passes when it answers `initialize`
 *   and `tools/list`.
 * - `files=<a,b>`: copies `test/consumer/fixtures/<a>` … into the working directory first.
 * - `timeout=<seconds>`: default 90.
 * - `postgres`: `DATABASE_URL` names a PostgreSQL with pgvector (PGlite on a loopback port).
 *
 * e.g. `<!-- snippet: prelude=answer-retriever; timeout=120 -->`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { REPO_ROOT } from "./consumer-project.js";

export type SnippetMode = "run" | "server" | "mcp-stdio";

export interface Snippet {
  /** e.g. `answer-2`: README slug and block number (1-based, counting only ts/js blocks). */
  id: string;
  /** README path relative to the repository root. */
  readme: string;
  /** 1-based block number among the README's ts/js blocks. */
  index: number;
  /** Line of the opening fence (1-based). */
  line: number;
  lang: "ts" | "js";
  code: string;
  mode: SnippetMode;
  noRun?: string;
  prelude?: string;
  /** Runs with `DATABASE_URL` naming a PostgreSQL with pgvector (PGlite served on a loopback port). */
  postgres?: boolean;
  files: string[];
  timeoutMs: number;
}

const LANGS: Record<string, "ts" | "js"> = {
  ts: "ts",
  typescript: "ts",
  js: "js",
  javascript: "js",
  mjs: "js",
};

/** `README.md` and every `packages/<name>/README.md`, relative to the repository root. */
export function listReadmes(root = REPO_ROOT): string[] {
  const packages = readdirSync(join(root, "packages"))
    .map((d) => join("packages", d, "README.md"))
    .filter((p) => existsSync(join(root, p)))
    .sort();
  return ["README.md", ...packages];
}

function slugOf(readme: string): string {
  const m = /^packages\/([^/]+)\/README\.md$/.exec(readme);
  return m ? m[1]! : "root";
}

/** Parses `<!-- snippet: a; b=c -->` directives. */
export function parseDirectives(
  comment: string,
  where: string,
): Omit<Snippet, "id" | "readme" | "index" | "line" | "lang" | "code"> {
  const out: ReturnType<typeof parseDirectives> = { mode: "run", files: [], timeoutMs: 90_000 };
  // `no-run: <reason>` takes the rest of the comment (the reason may contain `;`)
  const noRun = /\bno-run\s*:\s*(.*)$/s.exec(comment);
  if (noRun) {
    out.noRun = noRun[1]!.trim();
    comment = comment.slice(0, noRun.index);
  }
  for (const raw of comment.split(";")) {
    const d = raw.trim();
    if (!d) continue;
    const kv = /^([a-z-]+)=(.+)$/.exec(d);
    if (d === "server" || d === "mcp-stdio") out.mode = d;
    else if (d === "postgres") out.postgres = true;
    else if (kv?.[1] === "prelude") out.prelude = kv[2]!.trim();
    else if (kv?.[1] === "files") out.files = kv[2]!.split(",").map((f) => f.trim());
    else if (kv?.[1] === "timeout") out.timeoutMs = Number(kv[2]) * 1000;
    else throw new Error(`${where}: unknown snippet directive "${d}"`);
  }
  if (noRun && !out.noRun) throw new Error(`${where}: no-run needs a reason`);
  return out;
}

/** The ts/js blocks of one README, in order. */
export function extractSnippets(readme: string, root = REPO_ROOT): Snippet[] {
  const lines = readFileSync(join(root, readme), "utf8").split("\n");
  const snippets: Snippet[] = [];
  let index = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = /^```\s*([A-Za-z]+)\b/.exec(lines[i]!);
    if (!open) {
      if (/^```/.test(lines[i]!)) {
        // a fence without a language: skip to its end
        for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++);
      }
      continue;
    }
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const lang = LANGS[open[1]!.toLowerCase()];
    if (lang) {
      index++;
      let prev = i - 1;
      while (prev >= 0 && lines[prev]!.trim() === "") prev--;
      const marker = prev >= 0 ? /^<!--\s*snippet:(.*?)-->\s*$/.exec(lines[prev]!.trim()) : null;
      const where = `${readme}:${i + 1}`;
      snippets.push({
        id: `${slugOf(readme)}-${index}`,
        readme,
        index,
        line: i + 1,
        lang,
        code: `${lines.slice(i + 1, end).join("\n")}\n`,
        ...parseDirectives(marker?.[1] ?? "", where),
      });
    }
    i = end;
  }
  return snippets;
}

/** Every snippet of every README. */
export function allSnippets(root = REPO_ROOT): Snippet[] {
  return listReadmes(root).flatMap((r) => extractSnippets(r, root));
}

/** A service a snippet talks to, found from the URLs in its code (default ports, loopback). */
export interface ServiceNeed {
  kind: "redis" | "chroma" | "llm";
  port: number;
}

/**
 * Services a snippet needs, from its loopback URLs: `redis://host:port` is Redis, an
 * `http://host:port/v1` base URL an OpenAI-compatible LLM server, any other `http://host:port` Chroma.
 */
export function servicesOf(code: string): ServiceNeed[] {
  const needs = new Map<string, ServiceNeed>();
  const re = /\b(redis|https?):\/\/(?:localhost|127\.0\.0\.1):(\d+)(\/v1)?/g;
  for (const m of code.matchAll(re)) {
    const port = Number(m[2]);
    const kind = m[1] === "redis" ? "redis" : m[3] ? "llm" : "chroma";
    needs.set(`${kind}:${port}`, { kind, port });
  }
  return [...needs.values()];
}

/** Registry packages a snippet imports (bare specifiers, not `node:` built-ins), by package name. */
export function importedPackages(code: string): string[] {
  const names = new Set<string>();
  const re = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"'.][^"']*)["']/gm;
  for (const m of code.matchAll(re)) {
    const spec = m[1]!;
    if (spec.startsWith("node:") || builtinModules.includes(spec.split("/")[0]!)) continue;
    const parts = spec.split("/");
    names.add(spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
  }
  return [...names].sort();
}

/** Where a snippet is, for test names and messages: `packages/answer/README.md #2 (line 89)`. */
export function describe(s: Snippet): string {
  return `${s.readme} #${s.index} (line ${s.line})`;
}

export function relativeToRepo(p: string): string {
  return relative(REPO_ROOT, p);
}
