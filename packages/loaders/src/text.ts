import { decodeText } from "./decode.js";
import type { FileLoader } from "./types.js";

/** Loads plain-text files (`.txt`, `.text`, `.rst`, `.log`, `.csv`) as they are. */
export const textLoader: FileLoader = {
  name: "text",
  extensions: [".txt", ".text", ".rst", ".log", ".csv"],
  async parse(bytes, path) {
    return { text: decodeText(bytes, path), metadata: {}, format: "text" };
  },
};
