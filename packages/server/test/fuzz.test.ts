/**
 * Schemathesis fuzzing of the HTTP API from its own OpenAPI document (scripts/fuzz-server.sh,
 * schemathesis from PyPI in a gitignored venv) against a real server with real Redis and the real
 * MiniLM embedder: no 5xx, responses match the documented schemas, statuses, content types and
 * headers. The run is bounded (coverage phase plus 5 generated examples per operation, fixed seed)
 * to stay under two minutes on a quiet machine.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { hashApiKey, type RunningHttpServer, startHttpServer } from "@ragloom/server";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO_ROOT, startRedis, stopAllServices } from "../../../test/services.js";
import { captureLogger, DOCS, loadMiniLM } from "./helpers.js";

const KEY = "rgl_fuzz_key_for_the_schemathesis_run_000";
let server: RunningHttpServer;

beforeAll(async () => {
  const [redis, embedder] = await Promise.all([startRedis(), loadMiniLM()]);
  server = await startHttpServer({
    embedder,
    logger: captureLogger("warn").logger,
    config: {
      port: 0,
      redis: { url: redis.url },
      rateLimit: { points: 1_000_000, durationSeconds: 60 },
      apiKeys: [
        { id: "fuzz", sha256: hashApiKey(KEY), collections: ["*"], permissions: ["read", "write", "admin"] },
      ],
      collections: [{ name: "docs" }, { name: "notes", mode: "dense" }],
    },
  });
  await server.server.runtime.tenant("docs").ingest(DOCS);
});

afterAll(async () => {
  await server?.close();
  await stopAllServices();
});

it("survives schemathesis: no server errors, no schema violations", { timeout: 240_000 }, async () => {
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn("bash", [join(REPO_ROOT, "scripts", "fuzz-server.sh"), server.url, KEY, "5"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("close", (c) => resolve({ code: c, output }));
  });
  const counts = /(\d+) generated, (\d+) passed/.exec(output);
  expect(counts, output.slice(-4000)).not.toBeNull();
  expect(Number(counts![1])).toBeGreaterThan(300);
  expect(counts![2]).toBe(counts![1]);
  expect(output).not.toMatch(/ST\d{3} /);
  expect(code).toBe(0);
});
