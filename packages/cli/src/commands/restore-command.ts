import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { InMemoryVectorStore, ValidationError } from "@ragloom/core";
import { CATALOG } from "../backup/format.js";
import { openBackup, restoreBackup } from "../backup/restore-backup.js";
import { writeFileAtomic } from "../fs-utils.js";
import { type IndexInfo, indexFiles, openStore, readIndexInfo } from "../index-store.js";
import { createProgress, emit, type Io } from "../io.js";
import type { PartialSettings, Settings } from "../settings.js";

/** `ragloom restore <backup>`: loads a backup into an empty collection of any store. */
export async function restoreCommand(
  path: string,
  settings: Settings,
  explicit: PartialSettings,
  io: Io,
  signal: AbortSignal,
): Promise<void> {
  if (!existsSync(path)) throw new ValidationError(`backup ${path} not found`);
  const backup = await openBackup(path);
  try {
    const m = backup.manifest;
    const s: Settings = { ...settings, collection: explicit.collection ?? m.source.collection };
    const files = indexFiles(s);
    if (await readIndexInfo(s)) {
      throw new ValidationError(
        `collection "${s.collection}" already has an index in ${files.dir}: restore into another --collection or --dir`,
      );
    }
    const store = await openStore(s, m.model.dimensions);
    const progress = createProgress(io, "records");
    const t0 = performance.now();
    let restored: Awaited<ReturnType<typeof restoreBackup>>;
    try {
      restored = await restoreBackup(backup, store, {
        signal,
        onProgress: ({ done, total }) => progress.update(done, total, "restoring"),
      });
    } finally {
      progress.stop();
    }
    await mkdir(files.dir, { recursive: true });
    if (store instanceof InMemoryVectorStore) await store.save(files.vectors);
    await restored.lexical.save(files.lexical);
    const extra = async (name: string) =>
      existsSync(join(backup.dir, name))
        ? JSON.parse(await readFile(join(backup.dir, name), "utf8"))
        : undefined;
    const chunking = ((await extra("index.json")) ?? {}) as Partial<IndexInfo>;
    await writeFileAtomic(files.catalog, JSON.stringify((await extra(CATALOG)) ?? {}));
    const now = new Date().toISOString();
    const info: IndexInfo = {
      format: "ragloom-index",
      version: 1,
      store: s.store,
      ...(s.store === "chroma" ? { chromaUrl: s.chromaUrl } : {}),
      collection: s.collection,
      model: m.model.id,
      dtype: (m.model.dtype as IndexInfo["dtype"]) ?? s.dtype,
      dimensions: m.model.dimensions,
      chunkSize: chunking.chunkSize ?? s.chunkSize,
      chunkOverlap: chunking.chunkOverlap ?? s.chunkOverlap,
      createdAt: now,
      updatedAt: now,
    };
    await writeFileAtomic(files.info, JSON.stringify(info, null, 2));
    const seconds = (performance.now() - t0) / 1000;
    emit(
      io,
      { collection: s.collection, store: s.store, records: restored.records, seconds, verified: true },
      () => [
        `Restored ${restored.records} records into "${s.collection}" (${s.store}) in ${seconds.toFixed(1)} s; counts and checksums verified.`,
      ],
    );
  } finally {
    await backup.close();
  }
}
