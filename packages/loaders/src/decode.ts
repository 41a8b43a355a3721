import { LoaderError } from "./errors.js";

/** Bytes inspected for a NUL byte to tell binary files from text (git's heuristic uses 8,000). */
const SNIFF_BYTES = 8000;

/**
 * Decodes a text file: UTF-8 (a byte-order mark is dropped) or UTF-16 with a byte-order mark.
 * A NUL byte in the first 8,000 bytes marks the file as binary, as git does.
 * @throws LoaderError `binary` for binary data, `encoding` for bytes that are not valid UTF-8.
 */
export function decodeText(bytes: Uint8Array, path: string): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  const sniff = bytes.subarray(0, SNIFF_BYTES);
  if (sniff.includes(0)) throw new LoaderError(path, "binary", "binary data, not text");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (cause) {
    throw new LoaderError(path, "encoding", "not valid UTF-8 text", { cause });
  }
}
