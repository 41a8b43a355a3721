/**
 * Test helpers that start real services on loopback ports and stop them.
 * Nothing here skips: a missing binary is a failure that says how to install it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const CACHE = process.env.RAGLOOM_CACHE ?? join(homedir(), ".cache", "ragloom");
export const MODEL_DIR = process.env.RAGLOOM_MODEL_DIR ?? join(CACHE, "models");
export const REPO_ROOT = resolve(import.meta.dirname, "..");
/**
 * BEIR SciFact for the tests and benchmarks: `$RAGLOOM_SCIFACT_DIR`, else `bench/data/scifact`
 * (gitignored; where `scripts/fetch-scifact.sh` puts it), else a `shared/data/scifact` folder beside
 * the repository when there is one.
 */
export const SCIFACT_DIR = scifactDir();

function scifactDir(): string {
  if (process.env.RAGLOOM_SCIFACT_DIR) return resolve(process.env.RAGLOOM_SCIFACT_DIR);
  const inRepo = join(REPO_ROOT, "bench", "data", "scifact");
  const beside = resolve(REPO_ROOT, "..", "shared", "data", "scifact");
  if (!existsSync(join(inRepo, "corpus.jsonl")) && existsSync(join(beside, "corpus.jsonl"))) return beside;
  return inRepo;
}

const SETUP_HINT = "run `bash scripts/setup.sh` (or `pnpm test`, which runs it) to install it";

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, child: ChildProcess, timeoutMs: number) {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`${what} exited early with code ${child.exitCode}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

/** A running service process. */
export interface ServiceHandle {
  url: string;
  port: number;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s). Safe to call twice. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory (after `stop`). */
  restart(): Promise<void>;
}

async function stopProcess(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

function makeHandle(url: string, port: number, launch: () => Promise<ChildProcess>, cleanup?: () => void) {
  let child: ChildProcess | undefined;
  const handle: ServiceHandle & { start(): Promise<void> } = {
    url,
    port,
    async start() {
      child = await launch();
    },
    async stop() {
      await stopProcess(child);
    },
    async restart() {
      await stopProcess(child);
      child = await launch();
    },
  };
  return {
    handle,
    async dispose() {
      await stopProcess(child);
      cleanup?.();
    },
  };
}

const running: Array<() => Promise<void>> = [];
/** Stops every service started by this module (call in afterAll). */
export async function stopAllServices() {
  await Promise.all(running.splice(0).map((d) => d()));
}
process.once("exit", () => {
  // best effort if a test forgot afterAll
});

/** Starts a private `redis-server` on a free loopback port (no persistence). */
export async function startRedis(): Promise<ServiceHandle> {
  const port = await freePort();
  const launch = async () => {
    const child = spawn(
      "redis-server",
      ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    child.on("error", () => {});
    const { default: Redis } = await import("ioredis");
    await waitFor(
      async () => {
        const r = new Redis({
          port,
          host: "127.0.0.1",
          lazyConnect: true,
          maxRetriesPerRequest: 0,
          retryStrategy: () => null,
        });
        r.on("error", () => {});
        try {
          await r.connect();
          return (await r.ping()) === "PONG";
        } finally {
          r.disconnect();
        }
      },
      "redis-server (install it with `apt-get install redis-server`)",
      child,
      10_000,
    );
    return child;
  };
  const { handle, dispose } = makeHandle(`redis://127.0.0.1:${port}`, port, launch);
  await handle.start();
  running.push(dispose);
  return handle;
}

/** Starts a Chroma server (`chroma run`, chromadb 1.5.9 from the setup venv) on a free port with a temp data dir. */
export async function startChroma(): Promise<ServiceHandle> {
  const bin = join(CACHE, "chroma-venv", "bin", "chroma");
  if (!existsSync(bin)) throw new Error(`Chroma server not found at ${bin}: ${SETUP_HINT}`);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "ragloom-chroma-"));
  const url = `http://127.0.0.1:${port}`;
  const launch = async () => {
    const child = spawn(bin, ["run", "--path", dataDir, "--host", "127.0.0.1", "--port", String(port)], {
      stdio: "ignore",
      env: { ...process.env, ANONYMIZED_TELEMETRY: "FALSE" },
    });
    await waitFor(async () => (await fetch(`${url}/api/v2/heartbeat`)).ok, "chroma run", child, 30_000);
    return child;
  };
  const { handle, dispose } = makeHandle(url, port, launch, () =>
    rmSync(dataDir, { recursive: true, force: true }),
  );
  await handle.start();
  running.push(dispose);
  return handle;
}

/** Path of the SmolLM2-135M-Instruct GGUF installed by scripts/setup.sh. */
export const LLM_MODEL_FILE = join(CACHE, "llm", "SmolLM2-135M-Instruct.Q4_1.gguf");
/** The model alias the test LLM server answers to. */
export const LLM_MODEL_ID = "smollm2-135m";

/**
 * Starts llama-cpp-python's OpenAI-compatible server with SmolLM2-135M-Instruct on one thread.
 * `url` is the base URL including `/v1`.
 */
export async function startLlmServer(): Promise<ServiceHandle> {
  const python = join(CACHE, "llm-venv", "bin", "python");
  if (!existsSync(python)) throw new Error(`llama-cpp-python server not found at ${python}: ${SETUP_HINT}`);
  if (!existsSync(LLM_MODEL_FILE)) throw new Error(`LLM model not found at ${LLM_MODEL_FILE}: ${SETUP_HINT}`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const launch = async () => {
    const child = spawn(
      python,
      [
        "-m",
        "llama_cpp.server",
        "--model",
        LLM_MODEL_FILE,
        "--model_alias",
        LLM_MODEL_ID,
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "--n_ctx",
        "4096",
        "--n_threads",
        "1",
        "--n_threads_batch",
        "1",
        "--verbose",
        "False",
      ],
      { stdio: "ignore" },
    );
    await waitFor(async () => (await fetch(`${base}/v1/models`)).ok, "llama_cpp.server", child, 60_000);
    return child;
  };
  const { handle, dispose } = makeHandle(`${base}/v1`, port, launch);
  await handle.start();
  running.push(dispose);
  return handle;
}

/** Fails with a clear message when the local MiniLM model directory is missing. */
export function requireModelDir(): string {
  const probe = join(MODEL_DIR, "Xenova", "all-MiniLM-L6-v2", "onnx", "model.onnx");
  if (!existsSync(probe))
    throw new Error(`model not found at ${probe}: run \`bash scripts/prepare-models.sh\``);
  return MODEL_DIR;
}
