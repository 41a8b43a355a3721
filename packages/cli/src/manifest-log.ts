import { existsSync } from "node:fs";
import { type FileHandle, open, readFile } from "node:fs/promises";
import { emptyManifest, isLive, type Manifest, type ManifestStore } from "@ragloom/core";
import { writeFileAtomic } from "./fs-utils.js";

/**
 * A durable {@link ManifestStore} in one append-only JSON-lines file: `putMany` appends one line
 * per manifest and fsyncs before it resolves (what the retriever's write-ahead protocol needs),
 * the last line of a source id wins, a torn last line (a crash mid-append) is ignored, and
 * {@link FileManifestStore.compact} rewrites the file with one line per live manifest.
 * Used next to a Chroma collection, whose writes outlive the process, so that `repair()` in a
 * later run can finish a write a crashed one left.
 */
export class FileManifestStore implements ManifestStore {
  private constructor(
    readonly path: string,
    private readonly manifests: Map<string, Manifest>,
    private handle: FileHandle,
  ) {}

  /** Opens (or creates) the log at `path`. */
  static async open(path: string): Promise<FileManifestStore> {
    const manifests = new Map<string, Manifest>();
    if (existsSync(path)) {
      for (const line of (await readFile(path, "utf8")).split("\n")) {
        if (!line) continue;
        let entry: { id: string; manifest: Manifest | null };
        try {
          entry = JSON.parse(line);
        } catch {
          continue; // a torn last line
        }
        if (entry.manifest) manifests.set(entry.id, entry.manifest);
        else manifests.delete(entry.id);
      }
    }
    return new FileManifestStore(path, manifests, await open(path, "a"));
  }

  async getMany(sourceIds: string[]): Promise<Manifest[]> {
    return sourceIds.map((id) => structuredClone(this.manifests.get(id) ?? emptyManifest(id, ["chunkIds"])));
  }

  async putMany(manifests: Manifest[]): Promise<void> {
    let lines = "";
    for (const m of manifests) {
      const live = isLive(m);
      if (live) this.manifests.set(m.sourceId, structuredClone(m));
      else this.manifests.delete(m.sourceId);
      lines += `${JSON.stringify({ id: m.sourceId, manifest: live ? m : null })}\n`;
    }
    await this.handle.appendFile(lines);
    await this.handle.sync();
  }

  async *sourceIds(): AsyncIterable<string> {
    yield* [...this.manifests.keys()];
  }

  /** Rewrites the log with one line per live manifest (atomically). */
  async compact(): Promise<void> {
    await this.handle.close();
    const lines = [...this.manifests.entries()].map(
      ([id, manifest]) => `${JSON.stringify({ id, manifest })}\n`,
    );
    await writeFileAtomic(this.path, lines.join(""));
    this.handle = await open(this.path, "a");
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
