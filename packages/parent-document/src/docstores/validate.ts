import { type Document, ValidationError } from "@ragloom/core";

/** @throws ValidationError unless every id is a non-empty string. */
export function checkIds(ids: string[]): void {
  if (!Array.isArray(ids)) throw new ValidationError("ids must be an array of strings");
  for (const id of ids) {
    if (typeof id !== "string" || id.length === 0)
      throw new ValidationError("a docstore id must be a non-empty string");
  }
}

/** @throws ValidationError unless every document has a non-empty string id and a string text. */
export function checkDocuments(documents: Document[]): void {
  if (!Array.isArray(documents)) throw new ValidationError("documents must be an array");
  for (const d of documents) {
    if (!d || typeof d.id !== "string" || d.id.length === 0) {
      throw new ValidationError("a docstore document needs a non-empty string id");
    }
    if (typeof d.text !== "string") throw new ValidationError(`document "${d.id}" has no string text`);
  }
}

/** A deep copy through JSON, the form every backend stores. */
export function toStored(d: Document): string {
  return JSON.stringify({ id: d.id, text: d.text, metadata: d.metadata ?? {} });
}

export function fromStored(raw: string): Document {
  const d = JSON.parse(raw) as Document;
  return { id: d.id, text: d.text, metadata: d.metadata ?? {} };
}
