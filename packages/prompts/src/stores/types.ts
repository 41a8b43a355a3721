import type { PromptContent } from "../template/content.js";

/** One immutable, numbered version of a prompt. */
export interface PromptVersion {
  /** Prompt name (lower-case letters, digits, `.`, `_`, `-`). */
  name: string;
  /** Version number: 1 for the first publish, then +1 per publish that changed the content. */
  version: number;
  /** Content hash, `sha256:<hex>` (see `hashContent`). */
  hash: string;
  /** The template definition. */
  content: PromptContent;
  /** Who published it (free text, e.g. an e-mail or user id). */
  author: string;
  /** Why it was published (a commit-message-like note). */
  message: string;
  /** When it was published, ISO 8601 UTC. */
  createdAt: string;
}

/** What a store receives to publish (already validated and hashed by the registry). */
export interface PublishRequest {
  name: string;
  content: PromptContent;
  hash: string;
  author: string;
  message: string;
  createdAt: string;
  /** Labels to point at the resulting version (never `latest`). */
  labels: string[];
}

/** A label that moved (`from` is undefined when the label is new). */
export interface LabelMove {
  name: string;
  label: string;
  from?: number;
  to: number;
}

/** Result of {@link PromptStore.publish}. */
export interface PublishResult {
  /** The new version, or the latest one when the content was identical (no-op). */
  version: PromptVersion;
  /** False when the content's hash equals the latest version's: nothing new was written. */
  created: boolean;
  /** Labels that actually changed. */
  labelMoves: LabelMove[];
}

/** Where the latest version and the labels of a prompt point. */
export interface PromptHead {
  /** Highest version number. */
  latest: number;
  /** Label → version (without the implicit `latest`). */
  labels: Record<string, number>;
}

/** Which version to fetch: a version number or a label (`latest` is implicit). */
export type PromptRef = { version: number; label?: undefined } | { label: string; version?: undefined };

/**
 * Persistence of prompt versions and labels. Implementations: in-memory, file system, Redis.
 * `publish` is atomic: concurrent publishers never get the same version number nor leave a gap,
 * and the identical-content check and label moves happen in the same atomic step.
 */
export interface PromptStore {
  readonly kind: string;
  /** Appends a version (or returns the latest when its hash equals `request.hash`) and moves labels. */
  publish(request: PublishRequest): Promise<PublishResult>;
  /** A version by number or label; undefined when the prompt, version or label does not exist. */
  get(name: string, ref: PromptRef): Promise<PromptVersion | undefined>;
  /** Latest version number and labels; undefined when the prompt does not exist. */
  head(name: string): Promise<PromptHead | undefined>;
  /** Every version, oldest first ([] for an unknown prompt). */
  versions(name: string): Promise<PromptVersion[]>;
  /**
   * Points `label` at `version`.
   * @returns the move (with `from` = previous version), or undefined when the prompt or version does not exist.
   */
  setLabel(name: string, label: string, version: number): Promise<LabelMove | undefined>;
  /** Removes a label; returns the version it pointed at (undefined if it did not exist). */
  deleteLabel(name: string, label: string): Promise<number | undefined>;
  /** Names of all prompts, sorted. */
  list(): Promise<string[]>;
  /** Releases connections the store opened itself. */
  close?(): Promise<void>;
}
