import type { NormalFilter } from "../filter/normalize.js";
import type { RowStorage } from "../math/row-storage.js";
import type { RowHit } from "../math/scan.js";
import type { Metadata } from "../types/document.js";
import type { VectorHit, VectorRecord } from "../types/vector-store.js";
import { candidateIds, FieldIndex } from "./field-index.js";
import { norm } from "./in-memory-options.js";

/**
 * The records of an in-memory store: ids, texts and metadata by row, the id → row map, the
 * metadata indexes and the vectors ({@link RowStorage}). Rows stay dense: a deletion moves the
 * last row into the hole. Callers validate records before writing them.
 */
export class RecordTable {
  ids: string[] = [];
  texts: string[] = [];
  metadatas: Metadata[] = [];
  readonly rowOf = new Map<string, number>();
  readonly indexes = new Map<string, FieldIndex>();

  constructor(
    readonly rows: RowStorage,
    indexedFields: readonly string[],
  ) {
    for (const field of indexedFields) this.indexes.set(field, new FieldIndex(field));
  }

  get size(): number {
    return this.ids.length;
  }

  private index(id: string, metadata: Metadata, add: boolean) {
    for (const index of this.indexes.values()) {
      if (add) index.add(id, metadata);
      else index.remove(id, metadata);
    }
  }

  /**
   * Inserts or replaces (validated) records; vectors are stored L2-normalised.
   * @throws CapacityError before writing anything when the new ids do not fit.
   */
  write(records: readonly VectorRecord[]) {
    const fresh = new Set<string>();
    for (const r of records) if (!this.rowOf.has(r.id)) fresh.add(r.id);
    this.rows.ensureCapacity(this.ids.length + fresh.size);
    const d = this.rows.dimensions;
    for (const r of records) {
      let row = this.rowOf.get(r.id);
      const metadata = { ...r.metadata };
      if (row === undefined) {
        row = this.ids.length;
        this.ids.push(r.id);
        this.texts.push(r.text);
        this.metadatas.push(metadata);
        this.rowOf.set(r.id, row);
      } else {
        this.index(r.id, this.metadatas[row]!, false);
        this.texts[row] = r.text;
        this.metadatas[row] = metadata;
      }
      this.index(r.id, metadata, true);
      const n = norm(r.vector, d);
      this.rows.setRow(row, r.vector, n > 0 ? 1 / n : 0);
    }
  }

  /** Deletes by id; unknown ids are ignored. */
  remove(ids: Iterable<string>) {
    for (const id of ids) {
      const row = this.rowOf.get(id);
      if (row === undefined) continue;
      this.index(id, this.metadatas[row]!, false);
      const last = this.ids.length - 1;
      if (row !== last) {
        this.rows.moveRow(last, row);
        const movedId = this.ids[last]!;
        this.ids[row] = movedId;
        this.texts[row] = this.texts[last]!;
        this.metadatas[row] = this.metadatas[last]!;
        this.rowOf.set(movedId, row);
      }
      this.ids.pop();
      this.texts.pop();
      this.metadatas.pop();
      this.rowOf.delete(id);
    }
  }

  /**
   * Ids of the records `match` accepts: only the candidates the indexes give when they bound
   * `filter` ({@link candidateIds}), else every record.
   */
  matching(filter: NormalFilter, match: (metadata: Metadata, text: string) => boolean): string[] {
    const candidates = candidateIds(filter, this.indexes);
    const ids: string[] = [];
    if (candidates) {
      for (const id of candidates) {
        const row = this.rowOf.get(id)!;
        if (match(this.metadatas[row]!, this.texts[row]!)) ids.push(id);
      }
    } else {
      for (let row = 0; row < this.ids.length; row++) {
        if (match(this.metadatas[row]!, this.texts[row]!)) ids.push(this.ids[row]!);
      }
    }
    return ids;
  }

  /**
   * Search hits for scored rows, in the given order: id, text, a copy of the metadata, the score,
   * and with `includeVectors` a copy of the (normalised) row.
   */
  hits(scored: readonly RowHit[], includeVectors?: boolean): VectorHit[] {
    return scored.map(({ index, score }) => {
      const hit: VectorHit = {
        id: this.ids[index]!,
        text: this.texts[index]!,
        metadata: { ...this.metadatas[index]! },
        score,
      };
      if (includeVectors) hit.vector = this.rows.getRow(index);
      return hit;
    });
  }

  /** Takes over loaded records whose vectors are already in `rows`. */
  adopt(ids: string[], texts: string[], metadatas: Metadata[]) {
    this.ids = ids;
    this.texts = texts;
    this.metadatas = metadatas;
    ids.forEach((id, row) => {
      this.rowOf.set(id, row);
      this.index(id, metadatas[row]!, true);
    });
  }
}
