/**
 * Every ts/js code block of every README runs verbatim in a fresh consumer project: the packages
 * are built, packed with `pnpm pack` and installed with npm from the tarballs into a project in the
 * temp folder (ESM, "type": "module"), next to the optional peers the snippets use. One test per
 * snippet: `tsc --noEmit` (strict, nodenext) has no error in it, and it runs with tsx against real
 * services on the ports it names (see scripts/consumer-snippets.ts for the README markers).
 * The entries test imports and requires every package and subpath entry (ESM and CJS export the
 * same names), and a project with `@ragloom/core` alone loads without any optional peer.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createConsumer,
  entryPoints,
  packPackages,
  repoRanges,
  workspacePackages,
} from "../../scripts/consumer-project.js";
import { allSnippets, type Snippet, servicesOf, describe as where } from "../../scripts/consumer-snippets.js";
import { LLM_MODEL_FILE } from "../services.js";
import { runSnippet, userEnv } from "./run-snippet.js";
import { ensureService, type RunningService } from "./services.js";

const HERE = import.meta.dirname;
const snippets = allSnippets();
const keepDir = process.env.RAGLOOM_CONSUMER_KEEP === "1";

let root = "";
let tarballs: Record<string, string> = {};
let project = "";
let diagnostics = new Map<string, string[]>();
const lasting: RunningService[] = [];

/** The peers and tools the snippets import, at the repository's own ranges. */
function consumerDependencies() {
  const r = repoRanges();
  const pick = (...names: string[]) => Object.fromEntries(names.map((n) => [n, r[n] ?? "*"]));
  return {
    dependencies: pick("@huggingface/transformers", "chromadb", "ioredis", "prom-client", "usearch", "pg"),
    devDependencies: pick("tsx", "typescript", "@types/node", "@types/pg"),
    // as packages/answer/README.md installs it: the prebuilt CPU binary, no GPU builds
    extraSteps: [
      {
        packages: [
          `node-llama-cpp@${r["node-llama-cpp"]}`,
          `@node-llama-cpp/linux-x64@${r["node-llama-cpp"]}`,
        ],
        flags: ["--omit=optional"],
      },
    ],
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

function typecheck(): Map<string, string[]> {
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
  const r = spawnSync(
    join(project, "node_modules", ".bin", "tsc"),
    ["-p", "tsconfig.json", "--pretty", "false"],
    {
      cwd: project,
      encoding: "utf8",
    },
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
  const packed = packPackages(join(root, "tarballs"));
  tarballs = packed.tarballs;
  project = join(root, "project");
  const consumer = createConsumer(project, { tarballs: packed.tarballs, ...consumerDependencies() });
  writeSnippets();
  writeEntryChecks();
  const t1 = performance.now();
  diagnostics = typecheck();
  console.log(
    `consumer project ${project}: build ${(packed.buildMs / 1000).toFixed(1)} s (${packed.built.join(", ") || "up to date"}),` +
      ` pack ${(packed.packMs / 1000).toFixed(1)} s, npm ${consumer.installMs.map((m) => (m / 1000).toFixed(1)).join(" + ")} s,` +
      ` tsc ${((performance.now() - t1) / 1000).toFixed(1)} s (setup total ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
}, 900_000);

afterAll(async () => {
  await Promise.all(lasting.splice(0).map((s) => s.stop()));
  if (root && !keepDir) rmSync(root, { recursive: true, force: true });
});

describe("README snippets in a fresh consumer project", () => {
  for (const s of snippets) {
    const name = `${where(s)}${s.mode === "run" ? "" : ` [${s.mode}]`}`;
    if (s.noRun) {
      it.skip(`${name} — no-run: ${s.noRun}`, () => {});
      continue;
    }
    it(
      name,
      async () => {
        const problems: string[] = [];
        const types = diagnostics.get(fileOf(s));
        if (types) problems.push(`tsc --noEmit (strict, nodenext):\n${readmeLines(s, types).join("\n")}`);
        const perSnippet: RunningService[] = [];
        try {
          for (const need of servicesOf(preludeOf(s) + s.code)) {
            const svc = await ensureService(need);
            // Redis and Chroma stay up for the other snippets; an LLM server only for this one
            (need.kind === "llm" ? perSnippet : lasting).push(svc);
          }
          const env = userEnv({ GGUF_FILE: LLM_MODEL_FILE });
          const run = await runSnippet(
            project,
            join(project, "snippets", s.id),
            `index.${s.lang === "ts" ? "ts" : "mjs"}`,
            s,
            env,
          );
          if (!run.ok) problems.push(`run (${(run.ms / 1000).toFixed(1)} s): ${run.problem}`);
        } finally {
          await Promise.all(perSnippet.map((p) => p.stop()));
        }
        expect(problems.join("\n\n"), `${where(s)} failed`).toBe("");
      },
      s.timeoutMs + 120_000,
    );
  }
});

describe("package entries in a fresh consumer project", () => {
  it("every entry imports (ESM) and requires (CJS) with the same export names, and type-checks as .mts and .cts", () => {
    const esm = JSON.parse(
      execFileSync("node", ["entries/esm.mjs"], { cwd: project, encoding: "utf8" }),
    ) as Record<string, string[]>;
    const cjs = JSON.parse(
      execFileSync("node", ["entries/cjs.cjs"], { cwd: project, encoding: "utf8" }),
    ) as Record<string, string[]>;
    for (const [entry, names] of Object.entries(esm)) {
      expect(names.length, `${entry} exports nothing`).toBeGreaterThan(0);
      expect(cjs[entry], `${entry}: CJS and ESM export different names`).toEqual(names);
    }
    const typeErrors = [...diagnostics].filter(([f]) => f.startsWith("entries/") || f === "(tsc)");
    expect(typeErrors.map(([f, m]) => `${f}: ${m.join("\n")}`).join("\n")).toBe("");
  });

  it("@ragloom/core alone (no optional peer installed) imports and requires; a subpath names its missing peer", () => {
    const dir = join(root, "core-only");
    createConsumer(dir, { tarballs: { "@ragloom/core": tarballs["@ragloom/core"]! } });
    const esm = execFileSync(
      "node",
      [
        "--input-type=module",
        "-e",
        'const m = await import("@ragloom/core"); console.log(typeof m.createRetriever)',
      ],
      { cwd: dir, encoding: "utf8" },
    );
    const cjs = execFileSync("node", ["-e", 'console.log(typeof require("@ragloom/core").createRetriever)'], {
      cwd: dir,
      encoding: "utf8",
    });
    expect([esm.trim(), cjs.trim()]).toEqual(["function", "function"]);
    const chroma = spawnSync("node", ["--input-type=module", "-e", 'await import("@ragloom/core/chroma")'], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(chroma.status).not.toBe(0);
    expect(chroma.stderr).toMatch(/chromadb/);
  }, 300_000);
});
