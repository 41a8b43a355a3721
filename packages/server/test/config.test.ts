/** Configuration from a file plus environment variables, validated at start with clear errors; keys. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConfigError,
  createKeyring,
  DocumentIndex,
  generateApiKey,
  hashApiKey,
  loadConfig,
} from "@ragloom/server";
import { describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "ragloom-config-"));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe("loadConfig", () => {
  it("reads YAML, applies defaults and lets RAGLOOM_* variables win over the file", () => {
    const path = file(
      "server.yaml",
      "port: 9000\ncollections:\n  - name: docs\n    store: { kind: chroma, url: http://127.0.0.1:8000 }\n",
    );
    const config = loadConfig({
      env: { RAGLOOM_CONFIG: path, RAGLOOM_PORT: "9100", RAGLOOM_REDIS_URL: "redis://r:6379" },
    });
    expect(config.port).toBe(9100);
    expect(config.redis).toEqual({ url: "redis://r:6379" });
    expect(config.collections[0]).toMatchObject({
      name: "docs",
      mode: "hybrid",
      k: 10,
      cache: { enabled: true },
    });
    expect(config.cors).toBe(false);
    expect(config.rateLimit).toEqual({ points: 600, durationSeconds: 60 });
    expect(config.embedder).toMatchObject({ kind: "transformers", model: "Xenova/all-MiniLM-L6-v2" });
  });

  it("lists every bad value with its path and where it came from", () => {
    const path = file(
      "bad.json",
      JSON.stringify({
        collections: [{ name: "docs" }, { name: "docs", store: { kind: "chroma", url: "not a url" } }],
        apiKeys: [{ id: "a", sha256: "abc", collections: ["other"] }],
        bodyLimitBytes: -1,
      }),
    );
    let error: unknown;
    try {
      loadConfig({ file: path, env: { RAGLOOM_PORT: "eighty" } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { issues, message } = error as ConfigError;
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath.port!.source).toBe("RAGLOOM_PORT");
    expect(byPath["collections.1.store.url"]!.source).toBe(path);
    expect(byPath["apiKeys.0.sha256"]!.message).toMatch(/SHA-256/);
    expect(byPath.bodyLimitBytes).toBeDefined();
    expect(message).toMatch(/invalid server configuration:\n {2}- /);
    expect(message).toContain("port:");
  });

  it("says so when the file is missing, unparsable or has unknown keys", () => {
    expect(() => loadConfig({ file: join(dir, "missing.yaml") })).toThrow(/cannot read configuration file/);
    expect(() => loadConfig({ file: file("broken.json", "{ nope") })).toThrow(/is not valid JSON/);
    expect(() =>
      loadConfig({ file: file("typo.yaml", "collections: [{ name: docs }]\nprot: 80\n") }),
    ).toThrow(/Unrecognized key.*prot/);
    expect(() => loadConfig({ env: {} })).toThrow(/collections/);
  });
});

describe("API keys", () => {
  it("stores SHA-256 hashes and authenticates only the exact key", () => {
    const key = generateApiKey();
    expect(key).toMatch(/^rgl_[A-Za-z0-9_-]{43}$/);
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    const ring = createKeyring([
      { id: "one", sha256: hashApiKey(key), collections: ["docs"], permissions: ["read"] },
      { id: "two", sha256: hashApiKey("other").toUpperCase(), collections: ["*"], permissions: ["write"] },
    ]);
    expect(ring.authenticate(key)?.id).toBe("one");
    expect(ring.authenticate("other")?.id).toBe("two");
    expect(ring.authenticate(key.slice(0, -1))).toBeUndefined();
    expect(ring.authenticate("")).toBeUndefined();
    expect(ring.authenticate(undefined)).toBeUndefined();
  });
});

describe("DocumentIndex", () => {
  it("counts facets per source document, not per chunk, and follows deletes", () => {
    const index = new DocumentIndex();
    index.addChunks([
      { id: "a@1#0", metadata: { parentId: "a", parentVersion: "1", lang: "en", tags: ["x", "y"] } },
      { id: "a@1#1", metadata: { parentId: "a", parentVersion: "1", lang: "en", tags: ["x", "y"] } },
      { id: "b@1#0", metadata: { parentId: "b", parentVersion: "1", lang: "de", tags: ["x"] } },
    ]);
    expect(index.facet("lang").values).toEqual([
      { value: "de", count: 1 },
      { value: "en", count: 1 },
    ]);
    expect(index.facet("tags").values).toEqual([
      { value: "x", count: 2 },
      { value: "y", count: 1 },
    ]);
    expect(index.facet("parentId").values).toEqual([]);
    index.removeWhere((m) => m.parentId === "a");
    expect(index.facet("tags")).toMatchObject({ documents: 1, distinct: 1 });
    expect(index.chunkIds("a")).toBeUndefined();
    expect(index.chunkIds("b")).toEqual(["b@1#0"]);
  });
});
