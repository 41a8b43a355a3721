import { type Metadata, throwIfAborted, ValidationError, type VectorStore } from "@ragloom/core";
import { recordDigest } from "./format.js";

/** One record of a snapshot. */
export interface SnapshotRecord {
  id: string;
  text: string;
  metadata: Metadata;
  vector: Float32Array;
  digest: string;
}

/** Options of {@link readSnapshot}. */
export interface SnapshotOptions {
  /** Records per page. @default 500 */
  pageSize?: number;
  /** Most full reads of the collection before giving up on a quiet one. @default 4 */
  maxPasses?: number;
  signal?: AbortSignal;
  /** Records read so far in the current pass. */
  onProgress?: (p: { pass: number; done: number; total: number }) => void;
}

/** A snapshot and how consistent it is. */
export interface Snapshot {
  records: Map<string, SnapshotRecord>;
  passes: number;
  quiet: boolean;
  consistentAsOf: Date;
}

/**
 * Reads every record of a store (ids, texts, metadata and vectors) through `scan` and `get`.
 *
 * A store that is written to meanwhile (a live Chroma collection) offers no point-in-time read,
 * so the first pass copies and each further pass re-reads texts and metadata, re-fetches the
 * records that changed or appeared and drops those that vanished, until a pass finds nothing to
 * do, or one whose documents (same `parentId`) mix chunks of two versions (`parentVersion` or
 * `sha256`). The result holds every write acknowledged before that last pass began
 * (`consistentAsOf`); writes racing the last pass may or may not be in it. When `maxPasses` run
 * out first, `quiet` is false and `consistentAsOf` is the start of the last pass.
 * @throws ValidationError when the store cannot be scanned; the store's errors.
 */
export async function readSnapshot(store: VectorStore, options: SnapshotOptions = {}): Promise<Snapshot> {
  if (!store.scan)
    throw new ValidationError(`a ${store.kind} store cannot be scanned, so it cannot be backed up`);
  const scan = store.scan.bind(store);
  const pageSize = options.pageSize ?? 500;
  const maxPasses = Math.max(1, options.maxPasses ?? 4);
  const records = new Map<string, SnapshotRecord>();
  const fetch = async (ids: string[]) => {
    for (let i = 0; i < ids.length; i += pageSize) {
      throwIfAborted(options.signal);
      const slice = ids.slice(i, i + pageSize);
      const got = await store.get(slice, { signal: options.signal });
      const found = new Set<string>();
      for (const r of got) {
        found.add(r.id);
        records.set(r.id, {
          id: r.id,
          text: r.text,
          metadata: r.metadata ?? {},
          vector: r.vector instanceof Float32Array ? r.vector : Float32Array.from(r.vector),
          digest: recordDigest(r.id, r.text, r.metadata),
        });
      }
      for (const id of slice) if (!found.has(id)) records.delete(id);
    }
  };
  let passes = 0;
  let startedAt = new Date();
  let total = await store.count({ signal: options.signal });
  // pass 1: copy
  passes++;
  let done = 0;
  for await (const page of scan({ pageSize, signal: options.signal })) {
    await fetch(page.map((d) => d.id));
    done += page.length;
    options.onProgress?.({ pass: passes, done, total });
  }
  let quiet = false;
  while (passes < maxPasses) {
    passes++;
    startedAt = new Date();
    total = records.size;
    done = 0;
    const seen = new Set<string>();
    const changed: string[] = [];
    for await (const page of scan({ pageSize, signal: options.signal })) {
      for (const d of page) {
        seen.add(d.id);
        if (records.get(d.id)?.digest !== recordDigest(d.id, d.text, d.metadata)) changed.push(d.id);
      }
      done += page.length;
      options.onProgress?.({ pass: passes, done, total });
    }
    const gone = [...records.keys()].filter((id) => !seen.has(id));
    for (const id of gone) records.delete(id);
    if (changed.length > 0) await fetch(changed);
    if (changed.length === 0 && gone.length === 0 && wholeDocuments(records)) {
      quiet = true;
      break;
    }
  }
  return { records, passes, quiet, consistentAsOf: startedAt };
}

/** Whether the chunks of every document agree on its version (`parentVersion`, else `sha256`). */
function wholeDocuments(records: Map<string, SnapshotRecord>): boolean {
  const versionOf = new Map<string, unknown>();
  for (const r of records.values()) {
    const parent = r.metadata.parentId;
    if (typeof parent !== "string") continue;
    const v = r.metadata.parentVersion ?? r.metadata.sha256;
    if (v === undefined) continue;
    if (!versionOf.has(parent)) versionOf.set(parent, v);
    else if (versionOf.get(parent) !== v) return false;
  }
  return true;
}
