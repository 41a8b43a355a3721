/**
 * Fresh consumer projects built from the packed packages, as a user installs them from npm.
 *
 * - `packPackages` builds the stale packages and runs `pnpm pack` in every `packages/*` folder
 *   (pnpm rewrites `workspace:` ranges to real versions), one tarball per package.
 * - `createConsumer` writes a `package.json` outside the repository (dependencies on the tarballs
 *   plus any registry packages) and installs it with npm, the npm cache first (`--prefer-offline`).
 *
 * Usage as a script (a project to try things in by hand):
 *   pnpm tsx scripts/consumer-project.ts [dir]
 */
import { execFile, execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BIG = 64 * 1024 * 1024;

export const REPO_ROOT = resolve(import.meta.dirname, "..");

/** Environment of every npm install: no GPU downloads from postinstall scripts, no telemetry. */
export function installEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // onnxruntime-node's postinstall downloads CUDA/TensorRT libraries on linux-x64 unless skipped
    // (script/install-utils.js reads ONNXRUNTIME_NODE_INSTALL or npm_config_onnxruntime_node_install)
    ONNXRUNTIME_NODE_INSTALL: "skip",
    // node-llama-cpp's postinstall would fetch and build llama.cpp when no prebuilt binary matches
    NODE_LLAMA_CPP_SKIP_DOWNLOAD: "true",
    npm_config_fund: "false",
    npm_config_audit: "false",
    npm_config_update_notifier: "false",
  };
}

/** Published packages of the workspace: name, folder and parsed package.json. */
export function workspacePackages(): Array<{ name: string; dir: string; manifest: PackageManifest }> {
  const root = join(REPO_ROOT, "packages");
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, "package.json")))
    .map((d) => {
      const manifest = JSON.parse(readFileSync(join(root, d, "package.json"), "utf8")) as PackageManifest;
      return { name: manifest.name, dir: join(root, d), manifest };
    })
    .filter((p) => !p.manifest.private);
}

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Subpath entries of a package (`"."`, `"./chroma"`, ...) as import specifiers. */
export function entryPoints(manifest: PackageManifest): string[] {
  return Object.keys(manifest.exports ?? { ".": {} })
    .filter((k) => k !== "./package.json")
    .map((k) => (k === "." ? manifest.name : `${manifest.name}/${k.slice(2)}`));
}

function newestMtime(path: string, skip: (name: string) => boolean): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) {
    if (skip(name)) continue;
    newest = Math.max(newest, newestMtime(join(path, name), skip));
  }
  return newest;
}

/** Packages whose `dist` is missing or older than their sources or build configuration. */
export function stalePackages(): string[] {
  return workspacePackages()
    .filter(({ dir }) => {
      const dist = join(dir, "dist");
      if (!existsSync(dist) || readdirSync(dist).length === 0) return true;
      const built = Math.min(...readdirSync(dist).map((f) => statSync(join(dist, f)).mtimeMs));
      const source = Math.max(
        newestMtime(join(dir, "src"), (n) => n.endsWith(".test.ts")),
        newestMtime(join(dir, "package.json"), () => false),
        newestMtime(join(dir, "tsup.config.ts"), () => false),
      );
      return source > built;
    })
    .map((p) => p.name);
}

/**
 * Builds the stale packages (`pnpm --filter … build`, in dependency order) and packs every package.
 * @returns tarball path per package name, and the milliseconds spent building and packing.
 */
export async function packPackages(dest: string): Promise<{
  tarballs: Record<string, string>;
  built: string[];
  buildMs: number;
  packMs: number;
}> {
  mkdirSync(dest, { recursive: true });
  const built = stalePackages();
  let t = performance.now();
  if (built.length > 0) {
    const filters = built.flatMap((n) => ["--filter", n]);
    await run("pnpm", [...filters, "build"], { cwd: REPO_ROOT, maxBuffer: BIG });
  }
  const buildMs = performance.now() - t;
  t = performance.now();
  const tarballs: Record<string, string> = {};
  await run("pnpm", ["-r", "--filter", "./packages/*", "pack", "--pack-destination", dest], {
    cwd: REPO_ROOT,
    maxBuffer: BIG,
  });
  for (const { name, manifest } of workspacePackages()) {
    const file = join(dest, `${name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`);
    if (!existsSync(file)) throw new Error(`pnpm pack wrote no ${file}`);
    tarballs[name] = file;
  }
  return { tarballs, built, buildMs, packMs: performance.now() - t };
}

/** One npm install step: registry specs (`name@range`) and npm flags. */
export interface InstallStep {
  /** Specs, or a function of the project folder (to read versions from the first install). */
  packages: string[] | ((dir: string) => string[]);
  flags?: string[];
}

export interface ConsumerOptions {
  /** Tarballs of the workspace packages to depend on (all of them are listed in `overrides`). */
  tarballs: Record<string, string>;
  /** Which of `tarballs` the project depends on directly (default: all). */
  use?: string[];
  /** Registry dependencies, name → range. */
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  /** Further `npm install` steps after the first (e.g. a package with `--omit=optional`). */
  extraSteps?: InstallStep[];
}

export interface ConsumerProject {
  dir: string;
  /** Milliseconds of each npm install step. */
  installMs: number[];
}

/** Runs npm in `dir`; throws with npm's output when it fails. */
export async function npm(dir: string, args: string[]): Promise<void> {
  try {
    await run("npm", args, { cwd: dir, env: installEnv(), maxBuffer: BIG });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(" ")} failed:\n${stdout}\n${stderr}`.slice(0, 8000));
  }
}

/** Writes `dir/package.json` ("type": "module") and installs it with npm. */
export async function createConsumer(dir: string, options: ConsumerOptions): Promise<ConsumerProject> {
  mkdirSync(dir, { recursive: true });
  const use = options.use ?? Object.keys(options.tarballs);
  const fileSpec = (name: string) => `file:${options.tarballs[name]}`;
  const manifest = {
    name: "ragloom-consumer",
    version: "0.0.0",
    private: true,
    type: "module",
    dependencies: {
      ...Object.fromEntries(use.map((n) => [n, fileSpec(n)])),
      ...options.dependencies,
    },
    devDependencies: options.devDependencies ?? {},
    // the packages' own `@ragloom/*` dependencies resolve to the tarballs too, never the registry
    overrides: Object.fromEntries(
      Object.keys(options.tarballs).map((n) => [n, use.includes(n) ? `$${n}` : fileSpec(n)]),
    ),
  };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const base = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];
  const installMs: number[] = [];
  let t = performance.now();
  await npm(dir, base);
  installMs.push(performance.now() - t);
  for (const step of options.extraSteps ?? []) {
    t = performance.now();
    const packages = typeof step.packages === "function" ? step.packages(dir) : step.packages;
    await npm(dir, [...base, ...(step.flags ?? []), ...packages]);
    installMs.push(performance.now() - t);
  }
  return { dir, installMs };
}

/** Version ranges the repository itself uses (root devDependencies and package peers). */
export function repoRanges(): Record<string, string> {
  const root = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as PackageManifest;
  const ranges: Record<string, string> = { ...root.devDependencies };
  const registry = (deps: Record<string, string> = {}) =>
    Object.fromEntries(Object.entries(deps).filter(([, v]) => !v.startsWith("workspace:")));
  for (const { manifest } of workspacePackages()) {
    Object.assign(ranges, registry(manifest.devDependencies), registry(manifest.peerDependencies));
  }
  return ranges;
}

/** Files and megabytes under `dir/node_modules`, and the number of installed packages. */
export function nodeModulesSize(dir: string): { packages: number; megabytes: number } {
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8")) as {
    packages: Record<string, { link?: boolean }>;
  };
  const packages = Object.keys(lock.packages).filter((k) => k.startsWith("node_modules/")).length;
  const out = execFileSync("du", ["-sk", join(dir, "node_modules")], { encoding: "utf8" });
  const kb = Number(out.split(/\s/)[0]);
  return { packages, megabytes: Math.round((kb / 1024) * 10) / 10 };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const dir = process.argv[2] ?? mkdtempSync(join(tmpdir(), "ragloom-consumer-"));
  const packed = await packPackages(join(dir, "tarballs"));
  const r = repoRanges();
  const pick = (...names: string[]) => Object.fromEntries(names.map((n) => [n, r[n] ?? "*"]));
  const project = await createConsumer(join(dir, "project"), {
    tarballs: packed.tarballs,
    dependencies: pick("@huggingface/transformers", "chromadb", "ioredis", "prom-client", "usearch", "pg"),
    devDependencies: pick("tsx", "typescript", "@types/node"),
  });
  console.log(`${project.dir} (built ${packed.built.join(", ") || "nothing"}; npm ${project.installMs})`);
}
