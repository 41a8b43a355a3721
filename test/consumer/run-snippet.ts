/**
 * Runs one README snippet in the consumer project with tsx, in its own working directory, with the
 * environment of a fresh shell (no vitest or pnpm variables), and judges it by its mode.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { Snippet } from "../../scripts/consumer-snippets.js";

export interface SnippetRun {
  ok: boolean;
  /** Why it failed, with the tail of stderr and stdout. */
  problem?: string;
  stdout: string;
  stderr: string;
  ms: number;
}

/** What a user's shell would pass: PATH, HOME, locale, temp dir, plus `extra`. */
export function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = [
    "PATH",
    "HOME",
    "USER",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "TERM",
    "RAGLOOM_MODEL_DIR",
    "RAGLOOM_CACHE",
  ];
  const env: NodeJS.ProcessEnv = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  return { ...env, ...extra };
}

const tail = (s: string, n = 3000) => (s.length > n ? `…${s.slice(-n)}` : s);

/**
 * @param project the consumer project (its node_modules/.bin/tsx runs the file)
 * @param workDir the snippet's folder holding `index.ts` / `index.mjs`
 */
export function runSnippet(
  project: string,
  workDir: string,
  file: string,
  snippet: Snippet,
  env: NodeJS.ProcessEnv,
): Promise<SnippetRun> {
  const start = performance.now();
  const child = spawn(join(project, "node_modules", ".bin", "tsx"), [file], {
    cwd: workDir,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const waitFor = async (pred: () => boolean, ms: number): Promise<boolean> => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (pred()) return true;
      if (child.exitCode !== null || child.signalCode !== null) return pred();
      await new Promise((r) => setTimeout(r, 50));
    }
    return pred();
  };
  const done = (ok: boolean, problem?: string): SnippetRun => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    const out: SnippetRun = { ok, stdout, stderr, ms: performance.now() - start };
    if (problem) out.problem = `${problem}\n--- stderr\n${tail(stderr)}\n--- stdout\n${tail(stdout, 1500)}`;
    return out;
  };

  return (async () => {
    if (snippet.mode === "run") {
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), snippet.timeoutMs);
      const { code, signal } = await exited;
      clearTimeout(timer);
      if (signal)
        return done(false, `killed by ${signal} (timeout ${snippet.timeoutMs / 1000} s: it did not exit)`);
      return code === 0 ? done(true) : done(false, `exited with code ${code}`);
    }
    if (snippet.mode === "server") {
      child.stdin.end();
      const up = await waitFor(() => /https?:\/\//.test(stdout), snippet.timeoutMs);
      if (!up)
        return done(
          false,
          child.exitCode !== null
            ? `exited with code ${child.exitCode} before printing its URL`
            : "printed no URL before the timeout",
        );
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const { code, signal } = await exited;
      clearTimeout(timer);
      return code === 0
        ? done(true)
        : done(false, `after SIGTERM: exit code ${code}, signal ${signal} (expected a clean exit)`);
    }
    // mcp-stdio: initialize, then tools/list
    const send = (msg: object) => child.stdin.write(`${JSON.stringify(msg)}\n`);
    const hasId = (id: number) =>
      stdout.split("\n").some((l) => l.includes(`"id":${id}`) && l.includes('"result"'));
    send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "readme-test", version: "0" },
      },
    });
    if (!(await waitFor(() => hasId(1), snippet.timeoutMs))) return done(false, "no answer to initialize");
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    if (!(await waitFor(() => hasId(2), 20_000))) return done(false, "no answer to tools/list");
    child.stdin.end();
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    return done(true);
  })();
}
