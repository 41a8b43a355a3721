import { existsSync } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { MANIFEST } from "./format.js";

/** A finished backup in a backup folder. */
export interface BackupEntry {
  name: string;
  path: string;
  /** `YYYYMMDDTHHMMSSmmmZ` from the name. */
  timestamp: string;
  archive: boolean;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Finished backups of `collection` in `out`, newest first (temporary `.tmp-*` entries are not backups). */
export async function listBackups(out: string, collection: string): Promise<BackupEntry[]> {
  if (!existsSync(out)) return [];
  const pattern = new RegExp(`^${escapeRegExp(collection)}-(\\d{8}T\\d{9}Z)(?:-(\\d+))?(\\.tar\\.gz)?$`);
  const entries: BackupEntry[] = [];
  for (const name of await readdir(out)) {
    const m = pattern.exec(name);
    if (!m) continue;
    const path = join(out, name);
    const archive = Boolean(m[3]);
    if (!archive && !existsSync(join(path, MANIFEST))) continue;
    entries.push({ name, path, timestamp: `${m[1]}${(m[2] ?? "").padStart(4, "0")}`, archive });
  }
  return entries.sort((a, b) => (a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : 0));
}

/** Deletes all but the `keep` newest backups of `collection`; returns the deleted paths. */
export async function applyRetention(out: string, collection: string, keep: number): Promise<string[]> {
  const old = (await listBackups(out, collection)).slice(keep);
  for (const b of old) await rm(b.path, { recursive: true, force: true });
  return old.map((b) => b.path);
}

/** Removes temporary entries of interrupted backups of `collection` older than `maxAgeMs`. */
export async function removeStaleTemporaries(
  out: string,
  collection: string,
  maxAgeMs: number,
): Promise<void> {
  if (!existsSync(out)) return;
  for (const name of await readdir(out)) {
    if (!name.startsWith(`.tmp-${collection}-`)) continue;
    const path = join(out, name);
    const s = await stat(path).catch(() => undefined);
    if (s && Date.now() - s.mtimeMs > maxAgeMs) await rm(path, { recursive: true, force: true });
  }
}
