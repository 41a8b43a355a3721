import { type LoaderWarning, syncDirectories } from "@ragloom/loaders";
import { openIndex } from "../index-store.js";
import { createProgress, emit, type Io, note } from "../io.js";
import type { PartialSettings, Settings } from "../settings.js";

/** `ragloom index <dir...>`: incremental indexing of folders. */
export async function indexCommand(
  dirs: string[],
  settings: Settings,
  explicit: PartialSettings,
  io: Io,
  signal: AbortSignal,
): Promise<void> {
  const t0 = performance.now();
  const index = await openIndex(settings, explicit, { create: true });
  const s = index.settings;
  const repaired = await index.retriever.repair({ signal });
  if (repaired > 0) note(io, `Repaired ${repaired} documents an interrupted run left half-written.`);
  const progress = createProgress(io, "files");
  const warnings: LoaderWarning[] = [];
  let result: Awaited<ReturnType<typeof syncDirectories>>;
  try {
    result = await syncDirectories(dirs, {
      writer: index.retriever,
      catalog: index.catalog,
      base: process.cwd(),
      include: s.include,
      exclude: s.exclude,
      maxFileSize: s.maxFileSize,
      gitignore: s.gitignore,
      signal,
      onWarning: (w) => {
        warnings.push(w);
        if (!io.json) io.err(`warning: skipped ${w.message}`);
      },
      onProgress: ({ done, total, chunks }) => progress.update(done, total, `${chunks} chunks`),
    });
  } catch (error) {
    await index.close();
    throw error;
  } finally {
    progress.stop();
  }
  await index.save(result.catalog);
  await index.close();
  const seconds = (performance.now() - t0) / 1000;
  const chunks = await index.store.count();
  emit(
    io,
    {
      collection: s.collection,
      store: s.store,
      added: result.added,
      changed: result.changed,
      unchanged: result.unchanged.length,
      removed: result.removed,
      skipped: warnings,
      chunksWritten: result.chunks,
      files: Object.keys(result.catalog).length,
      chunks,
      seconds,
    },
    () => [
      `Indexed ${result.added.length + result.changed.length} files (${result.chunks} chunks) in ${seconds.toFixed(1)} s: ` +
        `${result.added.length} added, ${result.changed.length} changed, ${result.unchanged.length} unchanged, ` +
        `${result.removed.length} removed, ${warnings.length} skipped.`,
      `Collection "${s.collection}" (${s.store}) holds ${Object.keys(result.catalog).length} files, ${chunks} chunks.`,
    ],
  );
  if (result.added.length + result.changed.length + result.removed.length === 0 && warnings.length === 0)
    note(io, "Nothing changed.");
}
