import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { EXIT, parseCli } from "./cli.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const run = promisify(execFile);

function parse(argv: string[]) {
  let out = "";
  let err = "";
  const result = parseCli(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { result, out, err };
}

/** Runs the example as a user does; resolves with its exit code and output, never rejects. */
async function example(args: string[]) {
  try {
    const { stdout, stderr } = await run("pnpm", ["exec", "tsx", "examples/ask-the-docs/index.ts", ...args], {
      cwd: ROOT,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("ask-the-docs command line", () => {
  it.each([
    [["--bogus", "q"], /^ask-the-docs: error: unknown option '--bogus'$/],
    [[""], /^ask-the-docs: error: the question is empty/],
    [["   "], /^ask-the-docs: error: the question is empty/],
    [["-k", "abc", "q"], /^ask-the-docs: error: .*-k must be an integer from 1 to 100/],
    [["-k", "0", "q"], /-k must be an integer from 1 to 100/],
    [["-k", "2.5", "q"], /-k must be an integer from 1 to 100/],
    [["--mode", "bogus", "q"], /argument 'bogus' is invalid\. Allowed choices are hybrid, dense, lexical\./],
    [["--dtype", "fp16", "q"], /Allowed choices are fp32, q8\./],
    [["--chroma", "localhost", "q"], /expected an http\(s\) URL/],
    [["--languages", "english", "q"], /"english" is not an ISO 639-1 code/],
    [["--min-similarity", "1.5", "q"], /cosine similarity from -1 to 1/],
    [["--llm-url", "http://127.0.0.1:1/v1", "--answer", "q"], /--llm-url needs --llm-model/],
    [["--llm-file", "x.gguf", "q"], /only apply with --answer/],
  ])("rejects %j with one line and exit code 2", (argv, message) => {
    const { result, err } = parse(argv);
    expect(result).toEqual({ kind: "exit", code: EXIT.usage });
    expect(err.trimEnd().split("\n")).toHaveLength(1);
    expect(err.trimEnd()).toMatch(message);
  });

  it("parses valid options with their defaults", () => {
    const { result } = parse(["-k", "3", "--mode", "dense", "--only", "p-retry, opossum", "a question"]);
    expect(result.kind).toBe("run");
    if (result.kind !== "run") return;
    expect(result.options).toMatchObject({
      k: 3,
      mode: "dense",
      only: ["p-retry", "opossum"],
      dtype: "fp32",
      collection: "ask_the_docs",
      languages: ["en"],
      reindex: false,
      questions: ["a question"],
    });
    expect(result.options.stateDir).toBe(resolve(ROOT, ".ragloom", "ask-the-docs"));
    expect(parse(["--languages", "en,ZH"]).result).toMatchObject({ options: { languages: ["en", "zh"] } });
    expect(parse(["--languages", "all"]).result).toMatchObject({ options: { languages: "all" } });
  });

  it("--help lists every option with its default", () => {
    const { result, out } = parse(["--help"]);
    expect(result).toEqual({ kind: "exit", code: EXIT.ok });
    for (const flag of [
      "--chroma",
      "--collection",
      "-k",
      "--mode",
      "--package",
      "--reindex",
      "--model-dir",
      "--dtype",
      "--only",
      "--state-dir",
      "--languages",
      "--min-similarity",
      "--answer",
      "--llm-url",
      "--llm-model",
      "--llm-file",
      "--help",
    ])
      expect(out).toMatch(new RegExp(`^\\s+(-\\w, )?${flag}\\b`, "m"));
    const flat = out.replace(/\s+/g, " ");
    for (const d of [
      'Chroma collection (default: "ask_the_docs")',
      "(default: 5)",
      'default: "hybrid")',
      'default: "fp32")',
      "(default: $RAGLOOM_MODEL_DIR or ~/.cache/ragloom/models)",
      "(default: .ragloom/ask-the-docs at the repository root)",
      "(default: en)",
      "(default: all)",
    ])
      expect(flat).toContain(d);
    expect(flat).toMatch(/"no good match" is printed \(default: 0\.\d+\)/);
  });

  it("exits 2 with a one-line message and no stack trace when run with bad input", async () => {
    for (const args of [["-k", "abc", "q"], ["--mode", "bogus", "q"], [""], ["--nope"]]) {
      const r = await example(args);
      expect(r.code, args.join(" ")).toBe(EXIT.usage);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^ask-the-docs: error: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe("");
    }
  }, 300_000);
});
