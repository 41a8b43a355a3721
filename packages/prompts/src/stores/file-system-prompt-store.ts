import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ServiceError, ValidationError } from "@ragloom/core";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { hashContent } from "../template/content.js";
import { type FileLockOptions, withFileLock } from "./file-lock.js";
import {
  emptyRecord,
  getFromRecord,
  type PromptRecord,
  publishToRecord,
  setLabelInRecord,
  toVersion,
} from "./record.js";
import type { PromptStore } from "./types.js";
import { checkLabel, checkPromptName, checkVersion } from "./validate.js";

/** Options of {@link createFileSystemPromptStore}. */
export interface FileSystemPromptStoreOptions {
  /** Folder holding one file per prompt (created when missing). */
  directory: string;
  /** File format: `yaml` (multi-line templates as literal blocks) or `json` (2-space indent). @default "yaml" */
  format?: "yaml" | "json";
  /** Cross-process lock settings (see `withFileLock`). @default { timeoutMs: 10000, staleMs: 30000 } */
  lock?: FileLockOptions;
  /**
   * Check on every read that each version's content still hashes to its recorded hash, so a
   * version edited by hand (e.g. in a pull request) is caught instead of served. @default true
   */
  verifyHashes?: boolean;
}

/**
 * A {@link PromptStore} with one readable file per prompt, `<directory>/<name>.yaml` (or `.json`):
 * `{ name, labels, versions: [{ version, hash, createdAt, author, message, content }] }`, stable key
 * order, so a publish or a label move is a small, reviewable git diff.
 *
 * Writes take a per-prompt lock file (`<name>.<ext>.lock`, see `withFileLock`) and replace the file
 * by an atomic rename, so concurrent publishers in several processes on one machine never lose or
 * duplicate a version, and readers never see a half-written file.
 * @throws ValidationError when a file is not a valid prompt record or a version was edited.
 * @throws ServiceError (`service: "fs"`) on I/O errors.
 */
export function createFileSystemPromptStore(options: FileSystemPromptStoreOptions): PromptStore {
  if (!options?.directory) throw new ValidationError("directory is required");
  const { directory } = options;
  const format = options.format ?? "yaml";
  if (format !== "yaml" && format !== "json") throw new ValidationError(`unknown format ${String(format)}`);
  const ext = format === "yaml" ? ".yaml" : ".json";
  const verify = options.verifyHashes ?? true;
  const fileOf = (name: string) => join(directory, name + ext);

  const serialize = (input: PromptRecord) => {
    // labels sorted so that moving one label is a one-line diff
    const labels = Object.fromEntries(Object.entries(input.labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    const record = { name: input.name, labels, versions: input.versions };
    return format === "yaml"
      ? stringifyYaml(record, { blockQuote: "literal", lineWidth: 0 })
      : `${JSON.stringify(record, null, 2)}\n`;
  };

  async function read(name: string): Promise<PromptRecord | undefined> {
    checkPromptName(name);
    let text: string;
    try {
      text = await readFile(fileOf(name), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new ServiceError("fs", `reading ${fileOf(name)} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    let record: PromptRecord;
    try {
      record = (format === "yaml" ? parseYaml(text) : JSON.parse(text)) as PromptRecord;
    } catch (cause) {
      throw new ValidationError(`${fileOf(name)} is not valid ${format}`, { cause });
    }
    if (
      !record ||
      record.name !== name ||
      !Array.isArray(record.versions) ||
      typeof record.labels !== "object"
    ) {
      throw new ValidationError(`${fileOf(name)} is not a prompt record for "${name}"`);
    }
    record.labels ??= {};
    record.versions.forEach((v, i) => {
      if (v?.version !== i + 1) throw new ValidationError(`${fileOf(name)}: versions must be 1..N in order`);
      if (verify && hashContent(v.content) !== v.hash) {
        throw new ValidationError(
          `${fileOf(name)}: version ${v.version} does not match its hash (edited by hand?); publish a new version instead`,
        );
      }
    });
    return record;
  }

  async function write(record: PromptRecord) {
    const file = fileOf(record.name);
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    try {
      await writeFile(tmp, serialize(record), "utf8");
      await rename(tmp, file);
    } catch (error) {
      throw new ServiceError("fs", `writing ${file} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async function update<T>(
    name: string,
    fn: (record: PromptRecord) => T,
    create: boolean,
  ): Promise<T | undefined> {
    checkPromptName(name);
    await mkdir(directory, { recursive: true });
    return withFileLock(
      `${fileOf(name)}.lock`,
      async () => {
        const record = (await read(name)) ?? (create ? emptyRecord(name) : undefined);
        if (!record) return undefined;
        const result = fn(record);
        if (result !== undefined) await write(record);
        return result;
      },
      options.lock,
    );
  }

  return {
    kind: "fs",
    async publish(request) {
      for (const l of request.labels) checkLabel(l);
      const result = await update(request.name, (r) => publishToRecord(r, request), true);
      return result!;
    },
    async get(name, ref) {
      const record = await read(name);
      return record ? getFromRecord(record, ref) : undefined;
    },
    async head(name) {
      const record = await read(name);
      return record ? { latest: record.versions.length, labels: { ...record.labels } } : undefined;
    },
    async versions(name) {
      const record = await read(name);
      return record ? record.versions.map((v) => toVersion(name, v)) : [];
    },
    async setLabel(name, label, version) {
      checkLabel(label);
      checkVersion(version);
      return update(name, (r) => setLabelInRecord(r, label, version), false);
    },
    async deleteLabel(name, label) {
      checkLabel(label);
      return update(
        name,
        (r) => {
          const from = r.labels[label];
          if (from !== undefined) delete r.labels[label];
          return from;
        },
        false,
      );
    },
    async list() {
      let files: string[];
      try {
        files = await readdir(directory);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw new ServiceError("fs", `listing ${directory} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      return files
        .filter((f) => f.endsWith(ext))
        .map((f) => f.slice(0, -ext.length))
        .sort();
    },
  };
}
