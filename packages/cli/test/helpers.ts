import type { Io } from "../src/index.js";
import { run } from "../src/index.js";

/** Runs the command line in process, capturing stdout and stderr. */
export async function ragloom(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return ragloomWith(undefined, ...argv);
}

/** {@link ragloom} with an abort signal (for `serve`). */
export async function ragloomWith(
  signal: AbortSignal | undefined,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    out: (t) => {
      stdout += t.endsWith("\n") ? t : `${t}\n`;
    },
    write: (t) => {
      stdout += t;
    },
    err: (t) => {
      stderr += t.endsWith("\n") ? t : `${t}\n`;
    },
    json: false,
    quiet: false,
    tty: false,
  };
  const code = await run(argv, io, signal);
  return { code, stdout, stderr };
}

/** Runs and parses `--json` output; fails with stderr when the exit code is not 0. */
export async function ragloomJson<T = Record<string, unknown>>(...argv: string[]): Promise<T> {
  const r = await ragloom(...argv, "--json");
  if (r.code !== 0) throw new Error(`ragloom ${argv.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
