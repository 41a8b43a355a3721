/**
 * Every ts/js code block of every README runs verbatim in a fresh consumer project: the packages
 * are built, packed with `pnpm pack` and installed with npm from the tarballs into a project in the
 * temp folder (ESM, "type": "module"), next to the optional peers the snippets use. One test per
 * snippet: `tsc --noEmit` (strict, nodenext) has no error in it, and it runs with tsx against real
 * services on the ports it names (see scripts/consumer-snippets.ts for the README markers).
 * The entries test imports and requires every package and subpath entry (ESM and CJS export the
 * same names), and a project with `@ragloom/core` alone loads without any optional peer.
 * Services start on the snippets' own ports (Redis 6379, Chroma 8000, LLM servers on 8080/11434),
 * or are reused when already answering there. RAGLOOM_CONSUMER_KEEP=1 keeps the project folder.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PgliteServer, startPgliteServer } from "../../packages/core/test/pglite-server.js";
import {
  createConsumer,
  entryPoints,
  packPackages,
  repoRanges,
  workspacePackages,
} from "../../scripts/consumer-project.js";
import {
  allSnippets,
  importedPackages,
  type ServiceNeed,
  type Snippet,
  servicesOf,
  describe as where,
} from "../../scripts/consumer-snippets.js";
import { LLM_MODEL_FILE } from "../services.js";
import { runSnippet, userEnv } from "./run-snippet.js";
import { ensureService, type RunningService } from "./services.js";

const HERE = import.meta.dirname;
const exec = promisify(execFile);
const snippets = allSnippets();
const keepDir = process.env.RAGLOOM_CONSUMER_KEEP === "1";

let root = "";
let tarballs: Record<string, string> = {};
let project = "";
let diagnostics = new Map<string, string[]>();
/** Services started for the snippets, by `kind:port`; they stay up for the later snippets. */
const running = new Map<string, RunningService>();
let postgres: PgliteServer | undefined;

/**
 * Stops an LLM server started for earlier snippets when this snippet names its port but does not
 * use it as an LLM (e.g. a server snippet listening on 8080).
 */
async function freePortsNamedBy(text: string, needs: ServiceNeed[]) {
  for (const [key, svc] of running) {
    const used = needs.some((n) => n.kind === svc.kind && n.port === svc.port);
    if (svc.kind === "llm" && !used && new RegExp(`\\b${svc.port}\\b`).test(text)) {
      await svc.stop();
      running.delete(key);
    }
  }
}

/**
 * Every peer dependency of every package and every package a snippet imports, plus the tools, at
 * the repository's own ranges (else the latest), installed by one plain `npm install`.
 */
function consumerDependencies() {
  const r = repoRanges();
  const pick = (...names: string[]) => Object.fromEntries(names.map((n) => [n, r[n] ?? "latest"]));
  const peers = workspacePackages().flatMap((p) => Object.keys(p.manifest.peerDependencies ?? {}));
  const imported = snippets.filter((s) => !s.noRun).flatMap((s) => importedPackages(preludeOf(s) + s.code));
  const registry = [...new Set([...peers, ...imported])].filter((n) => !n.startsWith("@ragloom/"));
  return {
    dependencies: pick(...registry.sort()),
    devDependencies: pick("tsx", "typescript", "@types/node", "@types/pg"),
  };
}

const fileOf = (s: Snippet) => `snippets/${s.id}/index.${s.lang === "ts" ? "ts" : "mjs"}`;
const preludeOf = (s: Snippet) =>
  s.prelude ? readFileSync(join(HERE, "preludes", `${s.prelude}.ts`), "utf8") : "";

function writeSnippets() {
  for (const s of snippets) {
    if (s.noRun) continue;
    const dir = join(project, "snippets", s.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(project, fileOf(s)), preludeOf(s) + s.code);
    for (const f of s.files) copyFileSync(join(HERE, "fixtures", f), join(dir, f));
  }
}

/** ESM and CJS files that load every entry and print its export names; a .cts/.mts type check of them. */
function writeEntryChecks(): string[] {
  const entries = workspacePackages().flatMap((p) => entryPoints(p.manifest));
  mkdirSync(join(project, "entries"), { recursive: true });
  const list = JSON.stringify(entries);
  writeFileSync(
    join(project, "entries", "esm.mjs"),
    `const out = {};\nfor (const e of ${list}) out[e] = Object.keys(await import(e)).filter((k) => k !== "default").sort();\nconsole.log(JSON.stringify(out));\n`,
  );
  writeFileSync(
    join(project, "entries", "cjs.cjs"),
    `const out = {};\nfor (const e of ${list}) out[e] = Object.keys(require(e)).filter((k) => k !== "default").sort();\nconsole.log(JSON.stringify(out));\n`,
  );
  const imports = entries.map((e, i) => `import * as e${i} from "${e}";`).join("\n");
  const use = `export const all = [${entries.map((_, i) => `e${i}`).join(", ")}];\n`;
  writeFileSync(join(project, "entries", "types.cts"), `${imports}\n${use}`);
  writeFileSync(join(project, "entries", "types.mts"), `${imports}\n${use}`);
  return entries;
}

async function typecheck(): Promise<Map<string, string[]>> {
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        lib: ["es2023"],
        types: ["node"],
        noEmit: true,
        skipLibCheck: true,
      },
      include: ["snippets/*/index.ts", "entries/*.cts", "entries/*.mts"],
    }),
  );
  const r = await exec(
    join(project, "node_modules", ".bin", "tsc"),
    ["-p", "tsconfig.json", "--pretty", "false"],
    {
      cwd: project,
      encoding: "utf8",
      maxBuffer: 16 * 1024 * 1024,
    },
  ).then(
    (ok) => ({ ...ok, status: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({ ...e, status: e.code }),
  );

  const byFile = new Map<string, string[]>();
  let last: string[] | undefined;
  for (const line of r.stdout.split("\n")) {
    const m = /^(.+?)\((\d+),(\d+)\): (error TS\d+: .*)$/.exec(line);
    if (m) {
      const list = byFile.get(m[1]!) ?? [];
      list.push(`${m[2]}:${m[3]} ${m[4]}`);
      byFile.set(m[1]!, list);
      last = list;
    } else if (line.startsWith(" ") && last) last[last.length - 1] += `\n${line}`;
  }
  if (r.status !== 0 && byFile.size === 0) byFile.set("(tsc)", [r.stdout + r.stderr]);
  return byFile;
}

/** tsc line numbers of a snippet file → README lines. */
function readmeLines(s: Snippet, messages: string[]): string[] {
  const offset = preludeOf(s).split("\n").length - 1;
  return messages.map((m) =>
    m.replace(/^(\d+):(\d+)/, (_, l: string, c: string) => {
      const line = Number(l) - offset;
      return line > 0 ? `${s.readme}:${s.line + line}:${c}` : `prelude ${s.prelude}:${l}:${c}`;
    }),
  );
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "ragloom-readme-"));
  const t0 = performance.now();
  const packed = await packPackages(join(root, "tarballs"));
  tarballs = packed.tarballs;
  project = join(root, "project");
  const consumer = await createConsumer(project, { tarballs: packed.tarballs, ...consumerDependencies() });
  writeSnippets();
  writeEntryChecks();
  const t1 = performance.now();
  diagnostics = await typecheck();
  console.log(
    `consumer project ${project}: build ${(packed.buildMs / 1000).toFixed(1)} s (${packed.built.join(", ") || "up to date"}),` +
      ` pack ${(packed.packMs / 1000).toFixed(1)} s, npm ${consumer.installMs.map((m) => (m / 1000).toFixed(1)).join(" + ")} s,` +
      ` tsc ${((performance.now() - t1) / 1000).toFixed(1)} s (setup total ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
}, 900_000);

afterAll(async () => {
  await postgres?.stop();
  await Promise.all([...running.values()].map((s) => s.stop()));
  running.clear();
  if (root && !keepDir) rmSync(root, { recursive: true, force: true });
});

describe("README snippets in a fresh consumer project", () => {
  // Blocks marked `no-run` (output shapes, one-line diffs, fragments) are not run; each must say
  // why, and they stay few, so that a failing example is never just marked away.
  it("blocks that do not run are few and each gives its reason", () => {
    const notRun = snippets.filter((s) => s.noRun);
    for (const s of notRun) expect(s.noRun!.length, `${where(s)}: no-run reason`).toBeGreaterThanOrEqual(12);
    expect(notRun.length, notRun.map(where).join(", ")).toBeLessThanOrEqual(Math.ceil(snippets.length / 6));
  });
  for (const s of snippets.filter((x) => !x.noRun)) {
    const name = `${where(s)}${s.mode === "run" ? "" : ` [${s.mode}]`}`;
    it(
      name,
      async () => {
        const problems: string[] = [];
        const types = diagnostics.get(fileOf(s));
        if (types) problems.push(`tsc --noEmit (strict, nodenext):\n${readmeLines(s, types).join("\n")}`);
        const text = preludeOf(s) + s.code;
        const needs = servicesOf(text);
        await freePortsNamedBy(text, needs);
        for (const need of needs) {
          const key = `${need.kind}:${need.port}`;
          if (!running.has(key)) running.set(key, await ensureService(need));
        }
        if (s.postgres && !postgres) postgres = await startPgliteServer();
        const env = userEnv({
          GGUF_FILE: LLM_MODEL_FILE,
          ...(s.postgres ? { DATABASE_URL: postgres!.connectionString } : {}),
        });
        const file = `index.${s.lang === "ts" ? "ts" : "mjs"}`;
        const run = await runSnippet(project, join(project, "snippets", s.id), file, s, env);
        if (!run.ok) problems.push(`run (${(run.ms / 1000).toFixed(1)} s): ${run.problem}`);
        expect(problems.join("\n\n"), `${where(s)} failed`).toBe("");
      },
      s.timeoutMs + 120_000,
    );
  }
});

describe("package entries in a fresh consumer project", () => {
  const node = async (cwd: string, args: string[]) =>
    (await exec("node", args, { cwd, encoding: "utf8" })).stdout.trim();

  it("every entry imports (ESM) and requires (CJS) with the same export names, and type-checks as .mts and .cts", async () => {
    const esm = JSON.parse(await node(project, ["entries/esm.mjs"])) as Record<string, string[]>;
    const cjs = JSON.parse(await node(project, ["entries/cjs.cjs"])) as Record<string, string[]>;
    for (const [entry, names] of Object.entries(esm)) {
      expect(names.length, `${entry} exports nothing`).toBeGreaterThan(0);
      expect(cjs[entry], `${entry}: CJS and ESM export different names`).toEqual(names);
    }
    const typeErrors = [...diagnostics].filter(([f]) => f.startsWith("entries/") || f === "(tsc)");
    expect(typeErrors.map(([f, m]) => `${f}: ${m.join("\n")}`).join("\n")).toBe("");
  });

  it("@ragloom/core alone (no optional peer installed) imports and requires; a store names its missing peer", async () => {
    const dir = join(root, "core-only");
    await createConsumer(dir, { tarballs: { "@ragloom/core": tarballs["@ragloom/core"]! } });
    const esm = await node(dir, [
      "--input-type=module",
      "-e",
      'console.log(typeof (await import("@ragloom/core")).createRetriever)',
    ]);
    const cjs = await node(dir, ["-e", 'console.log(typeof require("@ragloom/core").createRetriever)']);
    expect([esm, cjs]).toEqual(["function", "function"]);
    const chroma = await node(dir, [
      "--input-type=module",
      "-e",
      'const { createChromaVectorStore } = await import("@ragloom/core/chroma");' +
        'await createChromaVectorStore({ url: "http://127.0.0.1:9", collection: "x", dimensions: 3 })' +
        ".then(() => console.log('created'), (e) => console.log(e.message));",
    ]);
    expect(chroma).toMatch(/install the optional peer dependency chromadb/);
  }, 300_000);
});
