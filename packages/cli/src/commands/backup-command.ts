import { resolve } from "node:path";
import { ValidationError } from "@ragloom/core";
import type { Catalog } from "@ragloom/loaders";
import { createBackup } from "../backup/create-backup.js";
import { CATALOG } from "../backup/format.js";
import { readJsonIfExists } from "../fs-utils.js";
import { applyIndexInfo, indexFiles, openStore, readIndexInfo } from "../index-store.js";
import { createProgress, emit, type Io } from "../io.js";
import type { PartialSettings, Settings } from "../settings.js";

/** Options of `ragloom backup`. */
export interface BackupFlags {
  out: string;
  keep?: number;
  archive?: boolean;
}

/** `ragloom backup --out DIR`: a verified snapshot of the collection, with retention. */
export async function backupCommand(
  flags: BackupFlags,
  settings: Settings,
  explicit: PartialSettings,
  io: Io,
  signal: AbortSignal,
): Promise<void> {
  const info = await readIndexInfo(settings);
  if (!info) throw new ValidationError(`no index in ${indexFiles(settings).dir}: nothing to back up`);
  const s = applyIndexInfo(settings, info, explicit);
  const store = await openStore(s, info.dimensions);
  const catalog = (await readJsonIfExists<Catalog>(indexFiles(s).catalog)) ?? {};
  const progress = createProgress(io, "records");
  const t0 = performance.now();
  let result: Awaited<ReturnType<typeof createBackup>>;
  try {
    result = await createBackup(store, {
      out: resolve(flags.out),
      collection: s.collection,
      model: { id: info.model, dtype: info.dtype },
      source: s.store === "chroma" ? { url: s.chromaUrl } : {},
      keep: flags.keep,
      archive: flags.archive,
      signal,
      extras: {
        [CATALOG]: catalog,
        "index.json": { chunkSize: info.chunkSize, chunkOverlap: info.chunkOverlap },
      },
      onProgress: ({ pass, done, total }) => progress.update(done, total, `pass ${pass}`),
    });
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  const m = result.manifest;
  emit(io, { path: result.path, bytes: result.bytes, seconds, removed: result.removed, manifest: m }, () => [
    `Backed up ${m.counts.records} records (${m.counts.documents} documents) of "${s.collection}" to ${result.path} ` +
      `(${(result.bytes / 1024 / 1024).toFixed(1)} MiB, ${seconds.toFixed(1)} s, verified).`,
    `Consistent as of ${m.consistentAsOf} (${m.consistency.passes} passes${m.consistency.quiet ? "" : ", writes did not stop"}).`,
    ...result.removed.map((p) => `Removed old backup ${p}`),
  ]);
}
