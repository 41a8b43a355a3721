import type { PromptContent } from "../template/content.js";
import type { LabelMove, PromptRef, PromptVersion, PublishRequest, PublishResult } from "./types.js";
import { LATEST } from "./validate.js";

/** One version as stored inside a {@link PromptRecord} (the name is the record's). */
export interface StoredVersion {
  version: number;
  hash: string;
  createdAt: string;
  author: string;
  message: string;
  content: PromptContent;
}

/**
 * Everything about one prompt, as the file-system store writes it (one JSON or YAML file) and
 * the in-memory store keeps it.
 */
export interface PromptRecord {
  name: string;
  /** Label → version. */
  labels: Record<string, number>;
  /** Oldest first; `versions[i].version === i + 1`. */
  versions: StoredVersion[];
}

/** A fresh, empty record. */
export function emptyRecord(name: string): PromptRecord {
  return { name, labels: {}, versions: [] };
}

export function toVersion(name: string, v: StoredVersion): PromptVersion {
  return {
    name,
    version: v.version,
    hash: v.hash,
    content: v.content,
    author: v.author,
    message: v.message,
    createdAt: v.createdAt,
  };
}

/** Applies a publish to `record` in place (the caller holds whatever lock makes it atomic). */
export function publishToRecord(record: PromptRecord, request: PublishRequest): PublishResult {
  let current = record.versions[record.versions.length - 1];
  let created = false;
  if (!current || current.hash !== request.hash) {
    current = {
      version: record.versions.length + 1,
      hash: request.hash,
      createdAt: request.createdAt,
      author: request.author,
      message: request.message,
      content: request.content,
    };
    record.versions.push(current);
    created = true;
  }
  const labelMoves: LabelMove[] = [];
  for (const label of request.labels) {
    const from = record.labels[label];
    if (from === current.version) continue;
    record.labels[label] = current.version;
    labelMoves.push({ name: record.name, label, from, to: current.version });
  }
  return { version: toVersion(record.name, current), created, labelMoves };
}

/** Looks a version up by number or label (`latest` = the newest). */
export function getFromRecord(record: PromptRecord, ref: PromptRef): PromptVersion | undefined {
  let n: number | undefined;
  if (ref.version !== undefined) n = ref.version;
  else if (ref.label === LATEST) n = record.versions.length;
  else n = record.labels[ref.label];
  const v = n === undefined ? undefined : record.versions[n - 1];
  return v ? toVersion(record.name, v) : undefined;
}

/** Moves a label in place; undefined when `version` does not exist. */
export function setLabelInRecord(
  record: PromptRecord,
  label: string,
  version: number,
): LabelMove | undefined {
  if (!record.versions[version - 1]) return undefined;
  const from = record.labels[label];
  record.labels[label] = version;
  return { name: record.name, label, from, to: version };
}
