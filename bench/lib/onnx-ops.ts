import { readFileSync } from "node:fs";

/**
 * Counts the operators of an ONNX model file (`op_type`, prefixed by its domain when not the
 * default one) and its initialisers by element type, reading the protobuf wire format directly
 * (ModelProto.graph = field 7, GraphProto.node = 1, GraphProto.initializer = 5,
 * NodeProto.op_type = 4, NodeProto.domain = 7, TensorProto.data_type = 2; see onnx/onnx.proto).
 * Enough to tell a dynamic-quantised export (MatMulInteger) from a weight-only one (Cast + MatMul).
 */
export function onnxCensus(file: string): {
  ops: Record<string, number>;
  initializers: Record<string, number>;
} {
  const buf = readFileSync(file);
  const ops: Record<string, number> = {};
  const initializers: Record<string, number> = {};
  const types: Record<number, string> = {
    1: "float",
    3: "int8",
    2: "uint8",
    6: "int32",
    7: "int64",
    9: "bool",
    10: "float16",
  };
  for (const m of fields(buf, 0, buf.length)) {
    if (m.field !== 7 || m.end === undefined) continue;
    for (const g of fields(buf, m.start, m.end)) {
      if (g.end === undefined) continue;
      if (g.field === 1) {
        let op = "";
        let domain = "";
        for (const n of fields(buf, g.start, g.end)) {
          if (n.end === undefined) continue;
          if (n.field === 4) op = buf.toString("utf8", n.start, n.end);
          if (n.field === 7) domain = buf.toString("utf8", n.start, n.end);
        }
        const key = domain ? `${domain}:${op}` : op;
        ops[key] = (ops[key] ?? 0) + 1;
      } else if (g.field === 5) {
        for (const t of fields(buf, g.start, g.end)) {
          if (t.field === 2 && t.value !== undefined) {
            const name = types[t.value] ?? String(t.value);
            initializers[name] = (initializers[name] ?? 0) + 1;
          }
        }
      }
    }
  }
  return { ops, initializers };
}

interface Field {
  field: number;
  start: number;
  end?: number;
  value?: number;
}

function* fields(buf: Buffer, start: number, end: number): Generator<Field> {
  let p = start;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = buf[p++]!;
      result += (b & 0x7f) * scale;
      scale *= 128;
      if (!(b & 0x80)) return result;
    }
  };
  while (p < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) yield { field, start: p, value: varint() };
    else if (wire === 2) {
      const len = varint();
      yield { field, start: p, end: p + len };
      p += len;
    } else if (wire === 5) p += 4;
    else if (wire === 1) p += 8;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}
