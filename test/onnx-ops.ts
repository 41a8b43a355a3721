import { readFileSync } from "node:fs";

/** How often an operator's name occurs in an ONNX file (NodeProto.op_type is stored as plain text). */
export function occurrences(file: string, op: string): number {
  const buf = readFileSync(file);
  const needle = Buffer.from(op);
  let n = 0;
  for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + needle.length)) n++;
  return n;
}
