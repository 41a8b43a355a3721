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

const clone = <T>(v: T): T => structuredClone(v);

/**
 * A {@link PromptStore} in process memory (tests, single-process apps, or as a fallback).
 * Every operation runs synchronously inside one call, so publishing is atomic within the process.
 * Returned objects are copies: mutating them does not change the store.
 */
export function createInMemoryPromptStore(): PromptStore {
  const records = new Map<string, PromptRecord>();
  return {
    kind: "memory",
    async publish(request) {
      checkPromptName(request.name);
      for (const l of request.labels) checkLabel(l);
      let record = records.get(request.name);
      if (!record) {
        record = emptyRecord(request.name);
        records.set(request.name, record);
      }
      return clone(publishToRecord(record, clone(request)));
    },
    async get(name, ref) {
      const record = records.get(name);
      return record ? clone(getFromRecord(record, ref)) : undefined;
    },
    async head(name) {
      const record = records.get(name);
      return record ? { latest: record.versions.length, labels: { ...record.labels } } : undefined;
    },
    async versions(name) {
      const record = records.get(name);
      return record ? record.versions.map((v) => clone(toVersion(name, v))) : [];
    },
    async setLabel(name, label, version) {
      checkLabel(label);
      checkVersion(version);
      const record = records.get(name);
      return record ? setLabelInRecord(record, label, version) : undefined;
    },
    async deleteLabel(name, label) {
      checkLabel(label);
      const record = records.get(name);
      const from = record?.labels[label];
      if (record && from !== undefined) delete record.labels[label];
      return from;
    },
    async list() {
      return [...records.keys()].sort();
    },
  };
}
