import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian magic
 * number 0x00 0x00 <type> <rank>, then `rank` big-endian uint32 dimensions, then the values row-major.
 * Only unsigned bytes (type 0x08) are read: every image and label file of both datasets uses them.
 * Files may be gzipped (detected by the gzip magic bytes, not by the file name).
 */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;
const GZIP_MAGIC = [0x1f, 0x8b];

export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  const raw = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1] ? gunzip(bytes, source) : bytes;
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) throw new Error(`${source} is not an IDX file`);
  if (raw[2] !== UNSIGNED_BYTE) {
    throw new Error(`${source} holds IDX type 0x${raw[2].toString(16)}; only unsigned bytes (0x08) are read`);
  }
  const rank = raw[3];
  const header = 4 + 4 * rank;
  if (rank === 0 || raw.length < header) throw new Error(`${source} has a truncated IDX header`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (raw.length !== header + size) {
    throw new Error(
      `${source}: dims [${dims.join(', ')}] need ${size} values, the file has ${raw.length - header}`,
    );
  }
  return { dims, data: raw.subarray(header) };
}

function gunzip(bytes: Uint8Array, source: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new Error(
      `${source} is gzipped but cannot be inflated (truncated or corrupt): ${(error as Error).message}`,
    );
  }
}

export function readIdx(path: string): IdxArray {
  return parseIdx(readFileSync(path), path);
}

/** Writes an unsigned-byte IDX array (for fixtures and tests); the inverse of parseIdx. */
export function encodeIdx({ dims, data }: IdxArray): Uint8Array {
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  out[2] = UNSIGNED_BYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, header);
  return out;
}
