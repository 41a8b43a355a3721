import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, requireModelDir } from "../../../test/services.js";
import { writeBadFiles, writeCorpus } from "../../loaders/test/fixtures.js";
import { ragloom as runInProcess } from "./helpers.js";

async function inProcess(args: string[], cwd: string) {
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    return await runInProcess(...args);
  } finally {
    process.chdir(previous);
  }
}

/** The built executable (CI runs `pnpm build` first); the TypeScript source through tsx otherwise. */
const BUILT = resolve(REPO_ROOT, "packages/cli/dist/bin.js");
const command = existsSync(BUILT)
  ? { file: process.execPath, args: [BUILT] }
  : {
      file: resolve(REPO_ROOT, "node_modules/.bin/tsx"),
      args: [
        "--tsconfig",
        resolve(REPO_ROOT, "tsconfig.json"),
        resolve(REPO_ROOT, "packages/cli/src/bin.ts"),
      ],
    };

const work = mkdtempSync(join(tmpdir(), "ragloom-cli-"));
beforeAll(async () => {
  requireModelDir();
  await writeCorpus(join(work, "docs"));
  writeBadFiles(join(work, "docs"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function ragloom(args: string[], cwd = work): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(
      command.file,
      [...command.args, ...args],
      { cwd, timeout: 120_000, env: { ...process.env, RAGLOOM_MODEL_DIR: requireModelDir(), NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        res({ code, stdout, stderr });
      },
    );
  });
}

describe(`the ragloom command (${existsSync(BUILT) ? "built" : "tsx"})`, () => {
  it("ragloom index <dir> && ragloom query '...' works in an empty folder with no options", async () => {
    const index = await ragloom(["index", "docs"]);
    expect(index.code).toBe(0);
    expect(index.stdout).toMatch(
      /^Indexed 4 files \(\d+ chunks\) in [\d.]+ s: 4 added, 0 changed, 0 unchanged, 0 removed, 4 skipped\.$/m,
    );
    for (const bad of ["binary.txt", "latin1.md", "corrupt.pdf", "huge.txt"])
      expect(index.stderr).toMatch(
        new RegExp(`^warning: skipped docs/bad/${bad.replace(".", "\\.")}: `, "m"),
      );
    expect(existsSync(join(work, ".ragloom", "default", "vectors.bin"))).toBe(true);

    const query = await ragloom(["query", "what does a circuit breaker do when it is open?"]);
    expect(query.code).toBe(0);
    expect(query.stdout).toMatch(
      /^[123]\. \[\d\.\d{4}\] docs\/guide\.md \(Circuit breakers > States > Open\)$/m,
    );
    expect(query.stdout.match(/^\d+\. /gm)).toHaveLength(5);

    const json = await ragloom([
      "query",
      "BM25 k1 and b",
      "--json",
      "-k",
      "2",
      "--filter",
      '{"op":"eq","field":"format","value":"pdf"}',
    ]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      results: Array<{ source: string; page: number }>;
      timings: object;
    };
    expect(parsed.results.length).toBeGreaterThan(0);
    expect(parsed.results.every((r) => r.source === "docs/papers/handbook.pdf")).toBe(true);
    expect(parsed.results[0]!.page).toBe(2);
    expect(parsed.timings).toHaveProperty("total");

    const again = await ragloom(["index", "docs", "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ added: [], changed: [], unchanged: 4, removed: [] });
    const stats = await ragloom(["stats", "--json"]);
    expect(JSON.parse(stats.stdout)).toMatchObject({
      store: "memory",
      files: 4,
      model: "Xenova/all-MiniLM-L6-v2",
      dimensions: 384,
    });
  });

  it("runs the README's quickstart line verbatim on a page of the repository's docs", async () => {
    const readme = readFileSync(resolve(REPO_ROOT, "README.md"), "utf8");
    const line = /```sh\n(pnpm ragloom index \.\/docs && pnpm ragloom query "[^"]+")\n```/.exec(readme)?.[1];
    expect(line).toBeDefined();
    const dir = join(work, "quickstart");
    // one real page of the repository's docs keeps the run short
    mkdirSync(join(dir, "docs"), { recursive: true });
    cpSync(resolve(REPO_ROOT, "docs/architecture.md"), join(dir, "docs/architecture.md"));
    const script = (
      JSON.parse(readFileSync(resolve(REPO_ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts.ragloom!;
    expect(script).toBe("node packages/cli/dist/bin.js");
    const bin =
      command.file === process.execPath ? `node ${BUILT}` : [command.file, ...command.args].join(" ");
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "quickstart", private: true, scripts: { ragloom: bin } }),
    );
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((res) =>
      execFile(
        "bash",
        ["-c", line!],
        { cwd: dir, timeout: 180_000, env: { ...process.env, RAGLOOM_MODEL_DIR: requireModelDir() } },
        (error, stdout, stderr) => res({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Indexed \d+ files \(\d+ chunks\)/);
    expect(r.stdout).toMatch(/^1\. \[\d\.\d{4}\] docs\/\S+\.md/m);
  });

  it("reads ragloom.config.json and rejects unknown keys", async () => {
    const dir = join(work, "configured");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "ragloom.config.json"),
      JSON.stringify({ dir: "../.ragloom", k: 2, mode: "lexical" }),
    );
    const q = await ragloom(["query", "exponential backoff with jitter", "--json"], dir);
    expect(q.code).toBe(0);
    const out = JSON.parse(q.stdout) as { k: number; mode: string; results: Array<{ source: string }> };
    expect(out).toMatchObject({ k: 2, mode: "lexical" });
    expect(out.results[0]!.source).toBe("docs/web/retries.html");
    writeFileSync(join(dir, "ragloom.config.json"), JSON.stringify({ k: 2, colection: "x" }));
    const bad = await ragloom(["stats"], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ragloom: error: config file .*ragloom\.config\.json: .*colection/);
  });

  it("prints one-line errors with exit code 2 for bad flags, empty questions, a bad -k or filter, and no index", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["query", "x", "-k", "0"], /-k must be a positive integer, got "0"/],
      [["query", "x", "-k", "abc"], /-k must be a positive integer, got "abc"/],
      [["query", "   "], /the question is empty/],
      [["query", "x", "--filter", "{nope"], /--filter is not valid JSON/],
      [["query", "x", "--filter", '{"op":"regex","field":"a","value":1}'], /unknown operator|op/i],
      [["query", "x", "--mode", "fuzzy"], /argument 'fuzzy' is invalid/],
      [["index"], /missing required argument 'dir'/],
      [["query", "x", "--bogus"], /unknown option '--bogus'/],
      [["index", "no-such-folder"], /no-such-folder is not a directory/],
      [["query", "x", "-c", "empty"], /no index in .*empty: run `ragloom index <folder>` first/],
      [["backup"], /required option '--out <dir>' not specified/],
    ];
    // three through the executable, the rest in process (same code path, no process start-up)
    for (const [i, [args, message]] of cases.entries()) {
      const r = i < 3 ? await ragloom(args) : await inProcess(args, work);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
    const json = await ragloom(["query", "  ", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: "ERR_VALIDATION", message: "the question is empty" },
    });
  });

  it("--help lists every option of every command", async () => {
    const expected: Record<string, string[]> = {
      "": [
        "--dir",
        "--collection",
        "--config",
        "--store",
        "--chroma-url",
        "--model",
        "--model-dir",
        "--dtype",
        "--json",
        "--quiet",
        "--version",
      ],
      index: [
        "--include",
        "--exclude",
        "--max-file-size",
        "--no-gitignore",
        "--chunk-size",
        "--chunk-overlap",
      ],
      query: ["--k", "--mode", "--filter"],
      stats: [],
      backup: ["--out", "--keep", "--archive"],
      restore: [],
      answer: ["--k", "--mode", "--filter", "--llm-url", "--llm-model", "--llm-gguf", "--max-tokens"],
      serve: ["--host", "--port", "--api-key-env"],
      mcp: [],
    };
    for (const [sub, flags] of Object.entries(expected)) {
      const r = sub ? await inProcess([sub, "--help"], work) : await ragloom(["--help"]);
      expect(r.code).toBe(0);
      for (const flag of [...flags, ...expected[""]!]) expect(r.stdout, `${sub} ${flag}`).toContain(flag);
      if (!sub)
        for (const c of Object.keys(expected).filter(Boolean))
          expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, "m"));
    }
  });
});
