import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CorruptFileError, ValidationError } from "../errors/errors.js";
import type { VectorRecord } from "../types/vector-store.js";
import { InMemoryVectorStore } from "./in-memory-vector-store.js";
import { encodeVectorStoreFile } from "./vector-store-file.js";

let seed = 11;
const rand = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647 - 0.5;
};
const records = (n: number, d: number, prefix = "r"): VectorRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    text: `text ${prefix}${i} ü`,
    metadata: { i, tags: ["x", `t${i % 3}`] },
    vector: Array.from({ length: d }, rand),
  }));

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "ragloom-persist-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function contents(store: InMemoryVectorStore) {
  return store.get(store.listIds());
}

/** A version 1 file, as earlier releases wrote it (no checksum, no scope). */
function v1File(header: object, vectors: Float32Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const prefix = Buffer.alloc(11 + 8);
  prefix.write("RAGLOOM-VS1", 0, "ascii");
  prefix.writeBigUInt64LE(BigInt(json.length), 11);
  return Buffer.concat([prefix, json, Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength)]);
}

describe("InMemoryVectorStore.save: atomic and serialised", () => {
  it("two overlapping saves both succeed and leave a file that loads (10 of 10 trials)", async () => {
    const dir = tempDir();
    const file = join(dir, "store.bin");
    for (let trial = 0; trial < 10; trial++) {
      const store = new InMemoryVectorStore({ dimensions: 32 });
      await store.upsert(records(300, 32));
      const first = store.save(file);
      await store.upsert(records(50, 32, `t${trial}-`)); // changes between the two calls
      await store.delete(["r0"]);
      const second = store.save(file);
      await expect(Promise.all([first, second])).resolves.toBeDefined();
      const loaded = await InMemoryVectorStore.load(file);
      expect(await loaded.count()).toBe(349);
      expect(await contents(loaded)).toEqual(await contents(store));
      expect(readdirSync(dir)).toEqual(["store.bin"]); // no temporary file left behind
    }
  });

  it("saves the contents as of the call, not as of the write", async () => {
    const file = join(tempDir(), "store.bin");
    const store = new InMemoryVectorStore({ dimensions: 8, initialCapacity: 1 });
    await store.upsert(records(3, 8));
    const before = await contents(store);
    const saving = store.save(file);
    // grow the WebAssembly memory and overwrite rows while the write is pending
    await store.upsert(records(5000, 8, "late"));
    await store.upsert([{ ...records(1, 8)[0]!, text: "changed" }]);
    await saving;
    expect(await contents(await InMemoryVectorStore.load(file))).toEqual(before);
  });

  it("concurrent saves of two stores to one path leave one whole file", async () => {
    const dir = tempDir();
    const file = join(dir, "store.bin");
    const a = new InMemoryVectorStore({ dimensions: 16 });
    const b = new InMemoryVectorStore({ dimensions: 16 });
    await a.upsert(records(500, 16, "a"));
    await b.upsert(records(400, 16, "b"));
    for (let trial = 0; trial < 5; trial++) {
      await Promise.all([a.save(file), b.save(file)]);
      const loaded = await InMemoryVectorStore.load(file);
      const got = await contents(loaded);
      expect([a.scope, b.scope]).toContain(loaded.scope);
      expect(got).toEqual(await contents(loaded.scope === a.scope ? a : b));
    }
    expect(readdirSync(dir)).toEqual(["store.bin"]);
  });

  it("a failed save leaves the old file and no temporary file", async () => {
    const dir = tempDir();
    const store = new InMemoryVectorStore({ dimensions: 4 });
    await store.upsert(records(3, 4));
    const target = join(dir, "taken");
    mkdirSync(join(target, "child"), { recursive: true }); // rename over a non-empty directory fails
    await expect(store.save(target)).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["taken"]);
    await expect(store.save(join(dir, "missing", "store.bin"))).rejects.toMatchObject({ code: "ENOENT" });
    // and the store still saves afterwards (a failure does not block the queue)
    await store.save(join(dir, "ok.bin"));
    expect(await contents(await InMemoryVectorStore.load(join(dir, "ok.bin")))).toEqual(
      await contents(store),
    );
  });
});

describe("InMemoryVectorStore scope", () => {
  it("is unique per instance by default, kept by save/load, and can be set", async () => {
    const a = new InMemoryVectorStore({ dimensions: 4 });
    const b = new InMemoryVectorStore({ dimensions: 4 });
    expect(a.scope).toMatch(/^in-memory:[0-9a-f-]{36}$/);
    expect(a.scope).not.toBe(b.scope);
    expect(new InMemoryVectorStore({ dimensions: 4, scope: "docs-v1" }).scope).toBe("docs-v1");
    expect(() => new InMemoryVectorStore({ dimensions: 4, scope: "" })).toThrowError(ValidationError);
    const file = join(tempDir(), "s.bin");
    await a.save(file);
    expect((await InMemoryVectorStore.load(file)).scope).toBe(a.scope);
    expect((await InMemoryVectorStore.load(file, { scope: "copy" })).scope).toBe("copy");
  });
});

describe("InMemoryVectorStore.load refuses corrupted files with a CorruptFileError", () => {
  const saved = async () => {
    const file = join(tempDir(), "store.bin");
    const store = new InMemoryVectorStore({ dimensions: 4 });
    await store.upsert([
      { id: "a", text: "alpha", metadata: { n: 1 }, vector: [1, 2, 3, 4] },
      { id: "b", text: "beta", metadata: {}, vector: [4, 3, 2, 1] },
    ]);
    await store.save(file);
    return { file, bytes: readFileSync(file), store };
  };
  const refused = async (file: string, message: RegExp) => {
    const error = await InMemoryVectorStore.load(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptFileError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as CorruptFileError).path).toBe(file);
    expect((error as Error).message).toMatch(message);
  };

  it("a flipped byte in the vectors", async () => {
    const { file, bytes } = await saved();
    const vectorStart = bytes.length - 32 - 2 * 4 * 4;
    for (const [offset, value] of [
      [vectorStart + 3, 0xff], // exponent byte of the first float: NaN
      [vectorStart + 17, bytes[vectorStart + 17]! ^ 1], // a finite but different value
    ] as const) {
      const copy = Buffer.from(bytes);
      copy[offset] = value;
      writeFileSync(file, copy);
      await refused(file, /checksum/);
    }
  });

  it("edited text in the header", async () => {
    const { file, bytes } = await saved();
    const i = bytes.indexOf("alpha");
    const copy = Buffer.from(bytes);
    copy.write("alpho", i, "utf8");
    writeFileSync(file, copy);
    await refused(file, /checksum/);
  });

  it("a truncated file, a file that is not a store, a bad header length", async () => {
    const { file, bytes } = await saved();
    writeFileSync(file, bytes.subarray(0, bytes.length - 10));
    await refused(file, /checksum/);
    writeFileSync(file, "not a store");
    await refused(file, /not a ragloom file/);
    writeFileSync(file, bytes.subarray(0, 15));
    await refused(file, /truncated/);
    for (const magic of ["RAGLOOM-VS1", "RAGLOOM-VS2"]) {
      const copy = Buffer.from(bytes);
      copy.write(magic, 0, "ascii");
      copy.writeBigUInt64LE(2n ** 60n, 11); // header length beyond the file
      if (magic === "RAGLOOM-VS2") {
        // a consistent checksum, so that the length itself is what gets refused
        const { createHash } = await import("node:crypto");
        createHash("sha256")
          .update(copy.subarray(0, copy.length - 32))
          .digest()
          .copy(copy, copy.length - 32);
      }
      writeFileSync(file, copy);
      await refused(file, /header length/);
    }
  });

  it("well-checksummed files with duplicate ids or inconsistent records", async () => {
    const file = join(tempDir(), "crafted.bin");
    const write = (c: Parameters<typeof encodeVectorStoreFile>[0], v: Float32Array) =>
      writeFileSync(file, Buffer.concat(encodeVectorStoreFile(c, v)));
    const base = { dimensions: 2, scope: "s", texts: ["x", "y"], metadatas: [{}, {}] };
    write({ ...base, ids: ["a", "a"] }, new Float32Array([1, 0, 0, 1]));
    await refused(file, /duplicate id "a"/);
    write({ ...base, ids: ["a", "b"] }, new Float32Array([1, 0, Number.NaN, 1]));
    await refused(file, /vector of "b" has a non-finite value/);
    write({ ...base, ids: ["a", "b"], texts: ["x"] }, new Float32Array([1, 0, 0, 1]));
    await refused(file, /differ in length/);
    write({ ...base, ids: ["a", "b"] }, new Float32Array([1, 0, 0]));
    await refused(file, /bytes of vectors/);
  });

  it("still loads version 1 files, and checks their structure", async () => {
    const file = join(tempDir(), "v1.bin");
    const header = { dimensions: 2, ids: ["a", "b"], texts: ["x", "y"], metadatas: [{ k: 1 }, {}] };
    writeFileSync(file, v1File(header, new Float32Array([1, 0, 0, 1])));
    const loaded = await InMemoryVectorStore.load(file);
    expect(loaded.querySync([1, 0.1], { k: 2 }).map((h) => h.id)).toEqual(["a", "b"]);
    expect(loaded.scope).toMatch(/^in-memory:/);
    writeFileSync(file, v1File({ ...header, ids: ["a", "a"] }, new Float32Array([1, 0, 0, 1])));
    await refused(file, /duplicate id/);
    writeFileSync(file, v1File(header, new Float32Array([1, 0, Number.POSITIVE_INFINITY, 1])));
    await refused(file, /non-finite/);
    const cut = v1File(header, new Float32Array([1, 0, 0, 1]));
    cut.writeBigUInt64LE(5n, 11); // header length inside the JSON
    writeFileSync(file, cut);
    await refused(file, /not valid JSON/);
  });
});
