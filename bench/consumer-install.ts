/**
 * What a fresh consumer install pulls in and how long the entries take to import.
 *
 * The packages are packed (`pnpm pack`) and installed with npm from the tarballs into new projects
 * in the temp folder: `@ragloom/core` alone, with each of its optional peers, and every package
 * with every peer. Per project: installed packages (package-lock entries), megabytes of
 * node_modules on disk (`du -sk`) and the npm install time (npm cache warm, `--prefer-offline`;
 * onnxruntime-node's GPU download skipped with ONNXRUNTIME_NODE_INSTALL=skip). Per entry: the
 * time of `await import(entry)` in a new `node` process and that process's wall time, median of 5.
 *
 * Usage: nice -n 10 pnpm tsx bench/consumer-install.ts [--runs 5] [--keep]
 * Writes bench/results/consumer-install.json.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  createConsumer,
  entryPoints,
  nodeModulesSize,
  packPackages,
  REPO_ROOT,
  workspacePackages,
} from "../scripts/consumer-project.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, keep: { type: "boolean" } },
});
const RUNS = Number(values.runs);

const core = JSON.parse(readFileSync(join(REPO_ROOT, "packages/core/package.json"), "utf8")) as {
  peerDependencies: Record<string, string>;
};
const peers = core.peerDependencies;
/** The subpath of @ragloom/core that needs each peer. */
const SUBPATH_OF: Record<string, string> = {
  "@huggingface/transformers": "@ragloom/core/transformers",
  chromadb: "@ragloom/core/chroma",
  ioredis: "@ragloom/core/redis",
  "prom-client": "@ragloom/core/prometheus",
  "node-llama-cpp": "@ragloom/core/llama-cpp",
  usearch: "@ragloom/core/hnsw",
  pg: "@ragloom/core/pgvector",
};

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median in-process import time and process wall time (ms) of `entry` in new node processes. */
function importTime(dir: string, entry: string): { importMs: number; wallMs: number } {
  const code = `const t = performance.now(); await import(${JSON.stringify(entry)}); console.log(performance.now() - t);`;
  const imports: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const out = execFileSync("node", ["--input-type=module", "-e", code], { cwd: dir, encoding: "utf8" });
    walls.push(performance.now() - t);
    imports.push(Number(out.trim()));
  }
  return { importMs: round(median(imports)), wallMs: round(median(walls)) };
}

const round = (x: number) => Math.round(x * 10) / 10;

const root = mkdtempSync(join(tmpdir(), "ragloom-install-bench-"));
const packed = await packPackages(join(root, "tarballs"));
const coreTarball = { "@ragloom/core": packed.tarballs["@ragloom/core"]! };

interface Row {
  project: string;
  packages: number;
  megabytes: number;
  installSeconds: number;
}
const rows: Row[] = [];
const imports: Array<{ entry: string; project: string; importMs: number; wallMs: number }> = [];

async function measure(project: string, dir: string, setup: () => Promise<{ installMs: number[] }>) {
  const { installMs } = await setup();
  const size = nodeModulesSize(dir);
  rows.push({ project, ...size, installSeconds: round(installMs.reduce((a, b) => a + b, 0) / 1000) });
  console.error(`${project}: ${size.packages} packages, ${size.megabytes} MB`);
}

// a bare node process, the floor under every wall time
const baseline = (() => {
  const walls: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    execFileSync("node", ["-e", ""]);
    walls.push(performance.now() - t);
  }
  return round(median(walls));
})();

const coreDir = join(root, "core");
await measure("@ragloom/core", coreDir, () => createConsumer(coreDir, { tarballs: coreTarball }));
imports.push({ entry: "@ragloom/core", project: "@ragloom/core", ...importTime(coreDir, "@ragloom/core") });

for (const peer of Object.keys(peers)) {
  const dir = join(root, `core+${peer.replace(/[@/]/g, "_")}`);
  const project = `@ragloom/core + ${peer}`;
  await measure(project, dir, () =>
    createConsumer(dir, { tarballs: coreTarball, dependencies: { [peer]: peers[peer]! } }),
  );
  const entry = SUBPATH_OF[peer];
  if (entry) imports.push({ entry, project, ...importTime(dir, entry) });
}

const allDir = join(root, "all");
const allPeers = Object.keys(peers);
await measure("every @ragloom package + every peer", allDir, () =>
  createConsumer(allDir, {
    tarballs: packed.tarballs,
    dependencies: Object.fromEntries(allPeers.map((p) => [p, peers[p]!])),
  }),
);
for (const { manifest } of workspacePackages()) {
  if (manifest.name === "@ragloom/core") continue;
  for (const entry of entryPoints(manifest))
    imports.push({ entry, project: "every package + every peer", ...importTime(allDir, entry) });
}

const npmVersion = execFileSync("npm", ["--version"], { encoding: "utf8" }).trim();
const result = {
  date: new Date().toISOString(),
  node: process.version,
  npm: npmVersion,
  runs: RUNS,
  note: "npm cache warm, --prefer-offline; ONNXRUNTIME_NODE_INSTALL=skip; node-llama-cpp as is (npm installs its CUDA and Vulkan builds on linux-x64)",
  baselineNodeWallMs: baseline,
  installs: rows,
  imports,
};
mkdirSync(join(REPO_ROOT, "bench", "results"), { recursive: true });
writeFileSync(
  join(REPO_ROOT, "bench", "results", "consumer-install.json"),
  `${JSON.stringify(result, null, 2)}\n`,
);

console.log("| project | packages | node_modules MB | npm install s |\n| --- | --- | --- | --- |");
for (const r of rows) console.log(`| ${r.project} | ${r.packages} | ${r.megabytes} | ${r.installSeconds} |`);
console.log(
  `\n| entry | installed with | import ms (median of ${RUNS}) | process wall ms |\n| --- | --- | --- | --- |`,
);
console.log(`| (none: \`node -e ""\`) | - | - | ${baseline} |`);
for (const i of imports) console.log(`| ${i.entry} | ${i.project} | ${i.importMs} | ${i.wallMs} |`);
if (!values.keep) rmSync(root, { recursive: true, force: true });
else console.error(`kept ${root}`);
