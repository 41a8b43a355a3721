import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Metadata, VectorRecord } from "@ragloom/core";
import { BackupVerificationError } from "../exit-codes.js";
import { type BackupManifest, MANIFEST, manifestChecksum, RECORDS, VECTORS } from "./format.js";

/** SHA-256 and size of a file, streamed. */
export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const h = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: h.digest("hex") };
}

/**
 * Checks a backup folder against its manifest: the manifest checksum, every listed file's size
 * and SHA-256, no unlisted files, the record count (lines of `records.jsonl`) and the size of
 * `vectors.f32` (records × dimensions × 4 bytes).
 * @throws BackupVerificationError on any mismatch.
 */
export async function verifyBackupDir(dir: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST), "utf8")) as BackupManifest;
  } catch (cause) {
    throw new BackupVerificationError(`${dir} has no readable ${MANIFEST}: ${(cause as Error).message}`);
  }
  if (manifest.format !== "ragloom-backup" || manifest.version !== 1)
    throw new BackupVerificationError(
      `${dir} is not a ragloom backup (format ${manifest.format} ${manifest.version})`,
    );
  if (manifestChecksum(manifest.files, manifest.contentDigest) !== manifest.checksum)
    throw new BackupVerificationError(`${dir}: manifest checksum mismatch`);
  const present = (await readdir(dir)).filter((f) => f !== MANIFEST).sort();
  const listed = Object.keys(manifest.files).sort();
  if (present.join("\n") !== listed.join("\n"))
    throw new BackupVerificationError(
      `${dir}: files [${present.join(", ")}] differ from the manifest's [${listed.join(", ")}]`,
    );
  for (const name of listed) {
    const want = manifest.files[name]!;
    const got = await hashFile(join(dir, name));
    if (got.bytes !== want.bytes || got.sha256 !== want.sha256)
      throw new BackupVerificationError(
        `${dir}/${name}: checksum mismatch (${got.bytes} bytes, expected ${want.bytes})`,
      );
  }
  const vectorBytes = (await stat(join(dir, VECTORS))).size;
  if (vectorBytes !== manifest.counts.records * manifest.model.dimensions * 4)
    throw new BackupVerificationError(
      `${dir}/${VECTORS}: ${vectorBytes} bytes for ${manifest.counts.records} records`,
    );
  let lines = 0;
  for await (const line of createInterface({
    input: createReadStream(join(dir, RECORDS)),
    crlfDelay: Infinity,
  }))
    if (line.length > 0) lines++;
  if (lines !== manifest.counts.records)
    throw new BackupVerificationError(
      `${dir}/${RECORDS}: ${lines} records, the manifest says ${manifest.counts.records}`,
    );
  return manifest;
}

/** Streams the records of a verified backup folder in batches, vectors included. */
export async function* readBackupRecords(
  dir: string,
  manifest: BackupManifest,
  batchSize: number,
): AsyncIterable<VectorRecord[]> {
  const d = manifest.model.dimensions;
  const vectors = await open(join(dir, VECTORS), "r");
  try {
    let row = 0;
    let batch: VectorRecord[] = [];
    for await (const line of createInterface({
      input: createReadStream(join(dir, RECORDS)),
      crlfDelay: Infinity,
    })) {
      if (line.length === 0) continue;
      const { id, text, metadata } = JSON.parse(line) as { id: string; text: string; metadata: Metadata };
      const buf = Buffer.alloc(d * 4);
      await vectors.read(buf, 0, d * 4, row * d * 4);
      const vector = new Float32Array(d);
      for (let i = 0; i < d; i++) vector[i] = buf.readFloatLE(i * 4);
      batch.push({ id, text, metadata, vector });
      row++;
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await vectors.close();
  }
}
