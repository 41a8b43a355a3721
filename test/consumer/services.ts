/**
 * The services README snippets talk to, on the ports the snippets name (Redis 6379, Chroma 8000,
 * an OpenAI-compatible LLM server on 8080 or 11434): the binaries of test/services.ts, but on a
 * fixed port. A service already answering on that port is used as it is; a port held by anything
 * else is an error, never a skip.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceNeed } from "../../scripts/consumer-snippets.js";
import { CACHE, LLM_MODEL_FILE, LLM_MODEL_ID } from "../services.js";

const SETUP_HINT = "run `bash scripts/setup.sh` to install it";

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** PING over RESP without a client library. */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(false);
    }, 1000);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
    socket.once("error", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

const probes: Record<ServiceNeed["kind"], (port: number) => Promise<boolean>> = {
  redis: redisPing,
  chroma: (port) => httpOk(`http://127.0.0.1:${port}/api/v2/heartbeat`),
  llm: (port) => httpOk(`http://127.0.0.1:${port}/v1/models`),
};

function launch(need: ServiceNeed): { child: ChildProcess; cleanup?: () => void } {
  const { kind, port } = need;
  if (kind === "redis") {
    const child = spawn(
      "redis-server",
      ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    child.on("error", () => {});
    return { child };
  }
  if (kind === "chroma") {
    const bin = join(CACHE, "chroma-venv", "bin", "chroma");
    if (!existsSync(bin)) throw new Error(`Chroma server not found at ${bin}: ${SETUP_HINT}`);
    const dataDir = mkdtempSync(join(tmpdir(), "ragloom-readme-chroma-"));
    const child = spawn(bin, ["run", "--path", dataDir, "--host", "127.0.0.1", "--port", String(port)], {
      stdio: "ignore",
      env: { ...process.env, ANONYMIZED_TELEMETRY: "FALSE" },
    });
    return { child, cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const python = join(CACHE, "llm-venv", "bin", "python");
  if (!existsSync(python)) throw new Error(`llama-cpp-python server not found at ${python}: ${SETUP_HINT}`);
  if (!existsSync(LLM_MODEL_FILE)) throw new Error(`LLM model not found at ${LLM_MODEL_FILE}: ${SETUP_HINT}`);
  const child = spawn(
    python,
    [
      ...["-m", "llama_cpp.server", "--model", LLM_MODEL_FILE, "--model_alias", LLM_MODEL_ID],
      ...["--host", "127.0.0.1", "--port", String(port), "--n_ctx", "4096"],
      ...["--n_threads", "1", "--n_threads_batch", "1", "--verbose", "False"],
    ],
    { stdio: "ignore" },
  );
  return { child };
}

export interface RunningService extends ServiceNeed {
  /** false when it was already running (then `stop` leaves it alone). */
  started: boolean;
  stop(): Promise<void>;
}

const TIMEOUTS: Record<ServiceNeed["kind"], number> = { redis: 10_000, chroma: 60_000, llm: 90_000 };

/** Makes `need` answer on its port: reuses a running one, else starts it and waits until it answers. */
export async function ensureService(need: ServiceNeed): Promise<RunningService> {
  const probe = probes[need.kind];
  if (await probe(need.port)) return { ...need, started: false, stop: async () => {} };
  if (await portOpen(need.port))
    throw new Error(
      `port ${need.port} is taken by something that is not ${need.kind}: free it for the README snippets`,
    );
  const { child, cleanup } = launch(need);
  const start = Date.now();
  while (!(await probe(need.port))) {
    if (child.exitCode !== null)
      throw new Error(`${need.kind} on port ${need.port} exited with code ${child.exitCode}`);
    if (Date.now() - start > TIMEOUTS[need.kind])
      throw new Error(`${need.kind} on port ${need.port} did not answer within ${TIMEOUTS[need.kind]} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    ...need,
    started: true,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once("exit", () => r()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      cleanup?.();
    },
  };
}
