import { ValidationError } from "@ragloom/core";
import type { Catalog } from "@ragloom/loaders";
import { readJsonIfExists } from "../fs-utils.js";
import { applyIndexInfo, indexBytes, indexFiles, openStore, readIndexInfo } from "../index-store.js";
import { emit, type Io } from "../io.js";
import type { PartialSettings, Settings } from "../settings.js";

/** `ragloom stats`: what the index holds. */
export async function statsCommand(settings: Settings, explicit: PartialSettings, io: Io): Promise<void> {
  const info = await readIndexInfo(settings);
  if (!info)
    throw new ValidationError(
      `no index in ${indexFiles(settings).dir}: run \`ragloom index <folder>\` first`,
    );
  const s = applyIndexInfo(settings, info, explicit);
  const store = await openStore(s, info.dimensions);
  const chunks = await store.count();
  const catalog = (await readJsonIfExists<Catalog>(indexFiles(s).catalog)) ?? {};
  const files = Object.keys(catalog).length;
  const bytes = await indexBytes(s);
  const stats = {
    collection: s.collection,
    store: s.store,
    ...(s.store === "chroma" ? { chromaUrl: s.chromaUrl } : {}),
    dir: indexFiles(s).dir,
    model: info.model,
    dtype: info.dtype,
    dimensions: info.dimensions,
    files,
    chunks,
    bytesOnDisk: bytes,
    createdAt: info.createdAt,
    updatedAt: info.updatedAt,
  };
  emit(io, stats, () => Object.entries(stats).map(([k, v]) => `${k.padEnd(12)} ${v}`));
}
