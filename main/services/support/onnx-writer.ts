// Writes ONNX models (the protobuf ModelProto) from a small graph description: the near-duplicate job's
// matrix product, and the tests' and the benchmark's generated models. No ONNX tooling ships on npm for
// writing, and the wire format of the few messages a model needs is short. Field numbers are onnx.proto's (IR version 8, opset 17).

type Bytes = Uint8Array;

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n; // two's complement, as protobuf encodes negative int64
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

class Message {
  private parts: Bytes[] = [];
  private key(field: number, wire: number) {
    this.parts.push(Uint8Array.from(varint((field << 3) | wire)));
  }
  int(field: number, n: number | bigint): this {
    this.key(field, 0);
    this.parts.push(Uint8Array.from(varint(n)));
    return this;
  }
  float(field: number, x: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, x, true);
    this.parts.push(b);
    return this;
  }
  bytes(field: number, b: Bytes): this {
    this.key(field, 2);
    this.parts.push(Uint8Array.from(varint(b.length)), b);
    return this;
  }
  str(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Message): this {
    return this.bytes(field, m.encode());
  }
  encode(): Bytes {
    const n = this.parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of this.parts) (out.set(p, o), (o += p.length));
    return out;
  }
}

export type ElemType = 'float32' | 'int64';
const ELEM: Record<ElemType, number> = { float32: 1, int64: 7 };

export interface TensorInit {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export interface ValueInfo {
  name: string;
  type: ElemType;
  /** A number for a fixed size, a string for a named (dynamic) one. */
  shape: Array<number | string>;
}

export type Attr = number | number[] | string | { floats: number[] } | { tensor: TensorInit };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
}

export interface OnnxGraph {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: TensorInit[];
  nodes: OnnxNode[];
  producer?: string;
}

function tensor(t: TensorInit): Message {
  const m = new Message();
  for (const d of t.dims) m.int(1, d);
  m.int(2, t.data instanceof Float32Array ? ELEM.float32 : ELEM.int64);
  m.str(8, t.name);
  m.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return m;
}

function valueInfo(v: ValueInfo): Message {
  const shape = new Message();
  for (const d of v.shape) shape.msg(1, typeof d === 'number' ? new Message().int(1, d) : new Message().str(2, d));
  const tensorType = new Message().int(1, ELEM[v.type]).msg(2, shape);
  return new Message().str(1, v.name).msg(2, new Message().msg(1, tensorType));
}

function attribute(name: string, a: Attr): Message {
  const m = new Message().str(1, name);
  if (typeof a === 'number') return Number.isInteger(a) ? m.int(3, a).int(20, 2) : m.float(2, a).int(20, 1);
  if (typeof a === 'string') return m.str(4, a).int(20, 3);
  if (Array.isArray(a)) {
    for (const x of a) m.int(8, x);
    return m.int(20, 7);
  }
  if ('floats' in a) {
    for (const x of a.floats) m.float(7, x);
    return m.int(20, 6);
  }
  return m.msg(5, tensor(a.tensor)).int(20, 4);
}

/** The model's bytes, as an .onnx file holds them. */
export function writeOnnx(g: OnnxGraph): Uint8Array {
  const graph = new Message();
  g.nodes.forEach((n, i) => {
    const node = new Message();
    for (const x of n.inputs) node.str(1, x);
    for (const x of n.outputs) node.str(2, x);
    node.str(3, `${n.op.toLowerCase()}_${i}`).str(4, n.op);
    for (const [k, v] of Object.entries(n.attrs ?? {})) node.msg(5, attribute(k, v));
    graph.msg(1, node);
  });
  graph.str(2, g.name);
  for (const t of g.initializers) graph.msg(5, tensor(t));
  for (const v of g.inputs) graph.msg(11, valueInfo(v));
  for (const v of g.outputs) graph.msg(12, valueInfo(v));
  return new Message()
    .int(1, 8)
    .str(2, g.producer ?? 'lance-explorer-tests')
    .msg(7, graph)
    .msg(8, new Message().str(1, '').int(2, 17))
    .encode();
}
