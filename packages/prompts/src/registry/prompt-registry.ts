import { ValidationError } from "@ragloom/core";
import { PromptNotFoundError } from "../errors.js";
import { emitPromptEvent, type PromptEventTarget } from "../events.js";
import type { LabelMove, PromptRef, PromptStore, PromptVersion, PublishResult } from "../stores/types.js";
import { checkLabel, checkPromptName, checkVersion, LATEST } from "../stores/validate.js";
import { hashContent, normalizeContent, type PromptContent } from "../template/content.js";
import { createPromptTemplate } from "../template/prompt-template.js";
import { diffVersions, type PromptDiff } from "./diff.js";
import { type PromptReader, type ResolvedPrompt, refKey, resolvePrompt, toRef } from "./resolved-prompt.js";

/** Options of {@link createPromptRegistry}. */
export interface PromptRegistryOptions {
  /** Where versions and labels live (in-memory, file system or Redis store). */
  store: PromptStore;
  /** Label that `get(name)` reads when no reference is given. @default "production" */
  defaultLabel?: string;
  /** Receives `publish` and `label:move` events (see `createPromptEvents`). @default none */
  events?: PromptEventTarget;
  /** Clock for `createdAt`. @default () => new Date() */
  now?: () => Date;
}

/** Input of {@link PromptRegistry.publish}. */
export interface PublishInput {
  name: string;
  content: PromptContent;
  /** Who publishes. @default "unknown" */
  author?: string;
  /** Why (like a commit message). @default "" */
  message?: string;
  /** Labels to point at the published (or identical latest) version, e.g. `["staging"]`. @default [] */
  labels?: string[];
}

/** One entry of {@link PromptRegistry.history}: a version and the labels now pointing at it. */
export interface HistoryEntry extends PromptVersion {
  /** Labels pointing here, incl. `latest` for the newest version. */
  labels: string[];
}

/** A prompt registry: immutable numbered versions, movable labels, history and diffs. */
export interface PromptRegistry extends PromptReader {
  readonly store: PromptStore;
  /**
   * Publishes a new version (number = previous + 1, atomically in the store) and moves `labels` to
   * it. Publishing content identical to the latest version (same hash) creates nothing: it returns
   * the latest with `created: false` (labels are still moved).
   * @throws TemplateSyntaxError / TemplateVariablesError when the template is invalid (nothing is stored).
   * @throws ValidationError for a bad name, label or content. ServiceError when the store fails.
   */
  publish(input: PublishInput): Promise<PublishResult>;
  /**
   * Fetches by label (`"production"`, `"latest"`, `{ label }`) or version (`3`, `{ version: 3 }`).
   * @throws PromptNotFoundError when the prompt, label or version does not exist.
   */
  get(name: string, ref?: PromptRef | string | number): Promise<ResolvedPrompt>;
  /** Points a label at a version (e.g. promote staging to production). @throws PromptNotFoundError */
  setLabel(name: string, label: string, version: number): Promise<LabelMove>;
  /** Removes a label. @returns the version it pointed at, if any. */
  deleteLabel(name: string, label: string): Promise<number | undefined>;
  /**
   * Rolls a label back: moves it to `to`, or by default to the highest version below the one it
   * points at now. Versions are never deleted, so rolling forward again is another `setLabel`.
   * @default label "production"
   * @throws PromptNotFoundError when the label is unset or there is no earlier version.
   */
  rollback(name: string, options?: { label?: string; to?: number }): Promise<LabelMove>;
  /** All versions, newest first, each with the labels pointing at it. [] for an unknown prompt. */
  history(name: string): Promise<HistoryEntry[]>;
  /** Line diff between two versions (numbers or labels). @throws PromptNotFoundError */
  diff(name: string, from: PromptRef | string | number, to: PromptRef | string | number): Promise<PromptDiff>;
  /** Names of all prompts. */
  list(): Promise<string[]>;
}

/**
 * Creates a {@link PromptRegistry} over a store.
 * @example
 * const registry = createPromptRegistry({ store: createInMemoryPromptStore() });
 * await registry.publish({ name: "qa", content: { type: "text", template: "Q: {{question}}" }, labels: ["production"] });
 * const prompt = await registry.get("qa"); // production
 * prompt.format({ question: "why?" });
 */
export function createPromptRegistry(options: PromptRegistryOptions): PromptRegistry {
  const { store, events } = options;
  if (!store) throw new ValidationError("store is required");
  const defaultLabel = options.defaultLabel ?? "production";
  checkLabel(defaultLabel, true);
  const now = options.now ?? (() => new Date());

  async function fetch(name: string, ref: PromptRef): Promise<PromptVersion> {
    checkPromptName(name);
    if (ref.version !== undefined) checkVersion(ref.version);
    else checkLabel(ref.label, true);
    const v = await store.get(name, ref);
    if (!v) {
      const head = await store.head(name);
      throw new PromptNotFoundError(name, head ? refKey(ref).replace(":", " ") : undefined);
    }
    return v;
  }

  const registry: PromptRegistry = {
    store,
    async publish(input) {
      if (!input || typeof input !== "object") throw new ValidationError("publish needs { name, content }");
      checkPromptName(input.name);
      const labels = [...new Set(input.labels ?? [])];
      for (const l of labels) checkLabel(l);
      const content = normalizeContent(input.content);
      createPromptTemplate(content); // throws on a malformed template before anything is stored
      const author = input.author ?? "unknown";
      const message = input.message ?? "";
      if (typeof author !== "string" || typeof message !== "string") {
        throw new ValidationError("author and message must be strings");
      }
      const result = await store.publish({
        name: input.name,
        content,
        hash: hashContent(content),
        author,
        message,
        createdAt: now().toISOString(),
        labels,
      });
      const v = result.version;
      emitPromptEvent(events, "publish", {
        name: v.name,
        version: v.version,
        hash: v.hash,
        created: result.created,
        author: v.author,
        message: v.message,
      });
      for (const m of result.labelMoves) emitPromptEvent(events, "label:move", { ...m, reason: "publish" });
      return result;
    },
    async get(name, ref) {
      const r = toRef(ref, defaultLabel);
      return resolvePrompt(await fetch(name, r), r, "store");
    },
    async setLabel(name, label, version) {
      checkPromptName(name);
      checkLabel(label);
      checkVersion(version);
      const move = await store.setLabel(name, label, version);
      if (!move) throw new PromptNotFoundError(name, `version ${version}`);
      if (move.from !== move.to) emitPromptEvent(events, "label:move", { ...move, reason: "set" });
      return move;
    },
    async deleteLabel(name, label) {
      checkPromptName(name);
      checkLabel(label);
      const from = await store.deleteLabel(name, label);
      if (from !== undefined) emitPromptEvent(events, "label:move", { name, label, from, reason: "delete" });
      return from;
    },
    async rollback(name, opts = {}) {
      checkPromptName(name);
      const label = opts.label ?? defaultLabel;
      checkLabel(label);
      const head = await store.head(name);
      if (!head) throw new PromptNotFoundError(name);
      const current = head.labels[label];
      let to = opts.to;
      if (to === undefined) {
        if (current === undefined) throw new PromptNotFoundError(name, `label ${label}`);
        if (current <= 1)
          throw new PromptNotFoundError(name, `version before ${current} to roll ${label} back to`);
        to = current - 1;
      }
      checkVersion(to);
      const move = await store.setLabel(name, label, to);
      if (!move) throw new PromptNotFoundError(name, `version ${to}`);
      if (move.from !== move.to) emitPromptEvent(events, "label:move", { ...move, reason: "rollback" });
      return move;
    },
    async history(name) {
      checkPromptName(name);
      const [versions, head] = await Promise.all([store.versions(name), store.head(name)]);
      const byVersion = new Map<number, string[]>();
      for (const [label, v] of Object.entries(head?.labels ?? {}).sort()) {
        byVersion.set(v, [...(byVersion.get(v) ?? []), label]);
      }
      const latest = versions.length ? versions[versions.length - 1]!.version : 0;
      return versions
        .map((v) => ({
          ...v,
          labels: [...(v.version === latest ? [LATEST] : []), ...(byVersion.get(v.version) ?? [])],
        }))
        .reverse();
    },
    async diff(name, from, to) {
      const [a, b] = await Promise.all([
        fetch(name, toRef(from, defaultLabel)),
        fetch(name, toRef(to, defaultLabel)),
      ]);
      return diffVersions(a, b);
    },
    list: () => store.list(),
  };
  return registry;
}
