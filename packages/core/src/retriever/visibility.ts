import type { Metadata } from "../types/document.js";

/**
 * What readers may see of one source document's chunks (by their `parentVersion` metadata):
 * - `only`: just this version (`null`: nothing, the document is being deleted);
 * - else every version but those in `hide` (versions being written).
 */
export interface VisibilityRule {
  only?: string | null;
  hide?: ReadonlySet<string>;
  /** Stored chunks this rule is known to hide (over-fetch hint). */
  hidden: number;
}

/** One reader's consistent view; close it when the retrieval ends. */
export interface VisibilityView {
  /** Known number of stored chunks the view hides: fetch this many more to still get `k`. */
  readonly hidden: number;
  /** Whether a chunk (by its metadata) is visible in this view. */
  visible(metadata: Metadata): boolean;
  close(): void;
}

/**
 * The versions of each source document that readers may see, so that a re-add or delete is
 * all-or-nothing for them. Readers take a snapshot when they start ({@link VersionVisibility.view});
 * a writer changes the rules in one step ({@link VersionVisibility.update}) and then waits, before
 * touching chunks a snapshot may still show, until every reader that started earlier has finished
 * ({@link VersionVisibility.drain}, epoch-based reclamation). So a reader sees exactly one whole
 * version of every document: the old one or the new one, never both, never a half-written one.
 */
export class VersionVisibility {
  private rules: ReadonlyMap<string, VisibilityRule> = new Map();
  private hiddenTotal = 0;
  private epoch = 0;
  private readonly open = new Map<number, number>();
  private waiters: Array<{ epoch: number; resolve: () => void }> = [];

  /** Current rule of a document, if any. */
  rule(sourceId: string): VisibilityRule | undefined {
    return this.rules.get(sourceId);
  }

  /** Number of documents with a rule. */
  get size(): number {
    return this.rules.size;
  }

  view(): VisibilityView {
    const rules = this.rules;
    const epoch = this.epoch;
    const hidden = this.hiddenTotal;
    this.open.set(epoch, (this.open.get(epoch) ?? 0) + 1);
    let closed = false;
    return {
      hidden,
      visible: (metadata) => {
        if (rules.size === 0) return true;
        const id = metadata.parentId;
        const rule = typeof id === "string" ? rules.get(id) : undefined;
        if (!rule) return true;
        const version = metadata.parentVersion;
        if (rule.only !== undefined) return version === rule.only;
        return !(typeof version === "string" && rule.hide?.has(version));
      },
      close: () => {
        if (closed) return;
        closed = true;
        const n = (this.open.get(epoch) ?? 1) - 1;
        if (n > 0) this.open.set(epoch, n);
        else this.open.delete(epoch);
        this.wake();
      },
    };
  }

  /** Sets (or, with `undefined`, removes) rules in one step; views opened earlier keep theirs. */
  update(changes: Iterable<[sourceId: string, rule: VisibilityRule | undefined]>): void {
    const next = new Map(this.rules);
    for (const [id, rule] of changes) {
      this.hiddenTotal -= next.get(id)?.hidden ?? 0;
      if (rule && (rule.only !== undefined || (rule.hide && rule.hide.size > 0))) {
        next.set(id, rule);
        this.hiddenTotal += rule.hidden;
      } else next.delete(id);
    }
    this.rules = next;
    this.epoch++;
  }

  /** Resolves once every view opened before the last {@link update} is closed. */
  drain(): Promise<void> {
    const epoch = this.epoch;
    if (this.oldest() >= epoch) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ epoch, resolve }));
  }

  private oldest(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const e of this.open.keys()) if (e < min) min = e;
    return min;
  }

  private wake() {
    if (this.waiters.length === 0) return;
    const oldest = this.oldest();
    const ready = this.waiters.filter((w) => oldest >= w.epoch);
    this.waiters = this.waiters.filter((w) => oldest < w.epoch);
    for (const w of ready) w.resolve();
  }
}
