import { z } from 'zod';
import { HnswParamsSchema } from './build-hnsw.ts';
import type { HnswLayer } from './hnsw-layer.ts';
import { quantizeRow } from './int8-codes.ts';

/**
 * One shard of a collection as the Workers index stores it: a binary file meant to be streamed straight
 * into a WebAssembly memory and searched in place (shard-search.ts), and an items file read by byte range
 * for the hits only. The binary holds, after an 8-byte magic, a little-endian uint32 header length and a
 * JSON header, 16-aligned sections:
 *   codes, scales            int8 codes of every unit row (rows padded with zeros to `stride`, a multiple
 *                            of 16, for the SIMD kernel) and their per-row scales: the graph walk and scans
 *   residual, residualScales the int8 codes of what the first codes miss: the two together re-score hits
 *                            within about 1e-5 of the float32 cosine (2 bytes per value instead of 4)
 *   itemOffsets              uint32 [rows + 1]: row r's JSON record {id, text, metadata} in the items file
 *   layer<l>.nodes/.links    the HNSW graph (shared/ann), when the shard has one
 *   column.<name>            one value per row of each filterable metadata field: float64 for numbers and
 *                            booleans (0/1), uint32 indices into the header's `values` for text
 */

export const SHARD_MAGIC = 'DMLSHRD1';
export const SHARD_ALIGN = 16;

const SectionSchema = z.object({
  offset: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

export const ShardColumnSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/),
  type: z.enum(['integer', 'float', 'text', 'boolean']),
  /** Text columns: the distinct values, which the column's uint32 entries index. */
  values: z.array(z.string()).optional(),
});
export type ShardColumn = z.infer<typeof ShardColumnSchema>;

export const ShardHeaderSchema = z.object({
  format: z.literal(1),
  rows: z.number().int().nonnegative(),
  dim: z.number().int().positive(),
  stride: z.number().int().positive().multipleOf(16),
  /** The collection position of row 0: shard rows are consecutive collection items. */
  first: z.number().int().nonnegative(),
  sections: z.record(z.string(), SectionSchema),
  graph: z
    .object({
      entry: z.number().int().nonnegative(),
      params: HnswParamsSchema,
      layers: z.array(z.object({ degree: z.number().int().positive(), count: z.number().int().positive() })),
    })
    .nullable(),
  columns: z.array(ShardColumnSchema),
});
export type ShardHeader = z.infer<typeof ShardHeaderSchema>;

/** What a shard holds, for the writer. */
export interface ShardInput {
  dim: number;
  first: number;
  /** Unit rows, row-major. */
  vectors: Float32Array;
  graph?: { entry: number; layers: readonly HnswLayer[]; params: z.input<typeof HnswParamsSchema> };
  /** Each row's JSON record for the items file, in row order. */
  records: readonly string[];
  /** Filterable fields with each row's value. */
  columns: readonly {
    name: string;
    type: ShardColumn['type'];
    values: readonly (number | string | boolean)[];
  }[];
}

export const strideOf = (dim: number) => Math.ceil(dim / 16) * 16;
const align = (offset: number) => Math.ceil(offset / SHARD_ALIGN) * SHARD_ALIGN;

/** The shard's binary and items files. */
export function encodeShard(input: ShardInput): { bin: Uint8Array; items: Uint8Array } {
  const { dim } = input;
  const rows = input.vectors.length / dim;
  if (!Number.isInteger(rows)) throw new Error(`expected rows of ${dim} values, got ${input.vectors.length}`);
  if (input.records.length !== rows) throw new Error(`${input.records.length} records for ${rows} rows`);
  const stride = strideOf(dim);
  const parts: { name: string; bytes: Uint8Array }[] = [];
  const add = (name: string, view: ArrayBufferView) =>
    parts.push({ name, bytes: new Uint8Array(view.buffer, view.byteOffset, view.byteLength) });

  const codes = new Int8Array(rows * stride);
  const scales = new Float32Array(rows);
  const residual = new Int8Array(rows * stride);
  const residualScales = new Float32Array(rows);
  const rest = new Float32Array(dim);
  for (let row = 0; row < rows; row++) {
    const from = row * dim;
    const scale = quantizeRow(input.vectors, from, dim, codes, row * stride);
    scales[row] = scale;
    for (let j = 0; j < dim; j++) rest[j] = input.vectors[from + j] - scale * codes[row * stride + j];
    residualScales[row] = quantizeRow(rest, 0, dim, residual, row * stride);
  }
  add('codes', codes);
  add('scales', scales);
  add('residual', residual);
  add('residualScales', residualScales);

  const encoder = new TextEncoder();
  const encoded = input.records.map((record) => encoder.encode(record));
  const offsets = new Uint32Array(rows + 1);
  for (let row = 0; row < rows; row++) {
    const next = offsets[row] + encoded[row].length;
    if (next > 0xffffffff) throw new Error('a shard items file over 4 GiB: use more shards');
    offsets[row + 1] = next;
  }
  const items = new Uint8Array(offsets[rows]);
  encoded.forEach((bytes, row) => items.set(bytes, offsets[row]));
  add('itemOffsets', offsets);

  input.graph?.layers.forEach((layer, level) => {
    add(`layer${level}.nodes`, layer.nodes);
    add(`layer${level}.links`, layer.links);
  });

  const columns: ShardColumn[] = input.columns.map((column) => {
    if (column.values.length !== rows)
      throw new Error(`column ${column.name}: ${column.values.length} values`);
    if (column.type === 'text') {
      const distinct = [...new Set(column.values.map(String))].sort();
      const index = new Map(distinct.map((value, i) => [value, i]));
      add(
        `column.${column.name}`,
        Uint32Array.from(column.values, (value) => index.get(String(value)) ?? 0),
      );
      return { name: column.name, type: column.type, values: distinct };
    }
    add(
      `column.${column.name}`,
      Float64Array.from(column.values, (value) => Number(value)),
    );
    return { name: column.name, type: column.type };
  });

  // Sections are placed after the header, whose length depends on their offsets: lay out twice.
  const layout = (start: number) => {
    const sections: ShardHeader['sections'] = {};
    let offset = start;
    for (const part of parts) {
      offset = align(offset);
      sections[part.name] = { offset, bytes: part.bytes.length };
      offset += part.bytes.length;
    }
    return { sections, end: offset };
  };
  const headerFor = (sections: ShardHeader['sections']): ShardHeader => ({
    format: 1,
    rows,
    dim,
    stride,
    first: input.first,
    sections,
    graph: input.graph
      ? {
          entry: input.graph.entry,
          params: HnswParamsSchema.parse(input.graph.params),
          layers: input.graph.layers.map((layer) => ({ degree: layer.degree, count: layer.nodes.length })),
        }
      : null,
    columns,
  });
  let start = 0;
  let header = encoder.encode(JSON.stringify(headerFor(layout(0).sections)));
  for (;;) {
    const next = align(12 + header.length);
    if (next === start) break;
    start = next;
    header = encoder.encode(JSON.stringify(headerFor(layout(start).sections)));
  }
  const { sections, end } = layout(start);
  const bin = new Uint8Array(align(end));
  bin.set(encoder.encode(SHARD_MAGIC), 0);
  new DataView(bin.buffer).setUint32(8, header.length, true);
  bin.set(header, 12);
  for (const part of parts) bin.set(part.bytes, sections[part.name].offset);
  return { bin, items };
}

/** Reads a shard's header from the first bytes of its binary. */
export function readShardHeader(bytes: Uint8Array, source: string): ShardHeader {
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== SHARD_MAGIC)
    throw new Error(`${source} is not a shard file (magic ${JSON.stringify(magic)})`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, 12).getUint32(8, true);
  if (12 + length > bytes.length) throw new Error(`${source}: a header of ${length} bytes past the file`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length)));
  } catch {
    throw new Error(`${source}: the shard header is not JSON`);
  }
  const header = ShardHeaderSchema.parse(json);
  for (const [name, section] of Object.entries(header.sections)) {
    if (section.offset % SHARD_ALIGN !== 0 || section.offset + section.bytes > bytes.length) {
      throw new Error(`${source}: section ${name} lies outside the file or is misaligned`);
    }
  }
  return header;
}
