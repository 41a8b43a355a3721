/**
 * Saved state of ask-the-docs, one folder per vector store under `--state-dir`, so that runs
 * against different stores never overwrite each other's manifest:
 *
 *   <state-dir>/memory/manifest.json, store.bin    the in-memory index
 *   <state-dir>/chroma-<hash>/manifest.json        one per Chroma server URL + collection
 *
 * A manifest records the store identity and the fingerprint of what was indexed (model, dtype,
 * document ids and lengths); a run re-indexes only when its own store's fingerprint differs.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Which store an index lives in. */
export type StoreIdentity = { kind: "memory" } | { kind: "chroma"; url: string; collection: string };

/** What a store's manifest.json holds. */
export interface Manifest {
  store: StoreIdentity;
  /** Hash of the model, dtype and documents indexed. */
  fingerprint: string;
  chunks: number;
  /** ISO date of the indexing run. */
  indexedAt: string;
}

/** The Chroma URL as one spelling (`http://127.0.0.1:8000/` and `http://127.0.0.1:8000` are the same store). */
export function normalizeUrl(url: string): string {
  return new URL(url).href.replace(/\/+$/, "");
}

/** Folder name of a store's state: `memory`, or `chroma-` + 12 hex digits of SHA-256(URL, collection). */
export function storeKey(store: StoreIdentity): string {
  if (store.kind === "memory") return "memory";
  const hash = createHash("sha256")
    .update(`${normalizeUrl(store.url)}\n${store.collection}`)
    .digest("hex");
  return `chroma-${hash.slice(0, 12)}`;
}

/** Paths of a store's state files. */
export function statePaths(stateDir: string, store: StoreIdentity) {
  const dir = join(stateDir, storeKey(store));
  return { dir, manifest: join(dir, "manifest.json"), store: join(dir, "store.bin") };
}

/** The store's manifest, or `undefined` if there is none or it cannot be read. */
export function readManifest(stateDir: string, store: StoreIdentity): Manifest | undefined {
  const file = statePaths(stateDir, store).manifest;
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch {
    return undefined; // unreadable: re-index
  }
}

/** Whether the store's manifest says it holds exactly the documents of `fingerprint`. */
export function isCurrent(manifest: Manifest | undefined, fingerprint: string): boolean {
  return manifest?.fingerprint === fingerprint;
}

/** Writes the store's manifest (atomically: a temporary file renamed over the old one). */
export function writeManifest(stateDir: string, manifest: Manifest): void {
  const { dir, manifest: file } = statePaths(stateDir, manifest.store);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
