import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { bytesToBase64 } from '../../shared/image/base64.ts';

/**
 * Test-only: image inputs as a hostile client sends them: random and truncated bytes, bit-flipped PNGs
 * and JPEGs, headers declaring huge sizes, a decompression bomb, ragged pixel rows, and a few good ones.
 */

const side = fc.integer({ min: 1, max: 40 });

const png = fc
  .record({ width: side, height: side, channels: fc.constantFrom(1, 2, 3, 4), seed: fc.nat(255) })
  .map(({ width, height, channels, seed }) =>
    encodePng({
      width,
      height,
      channels,
      depth: 8,
      data: Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 31 + seed) & 255),
    }),
  );

const jpeg = fc.record({ width: side, height: side, seed: fc.nat(255) }).map(({ width, height, seed }) =>
  Uint8Array.from(
    encodeJpeg(
      {
        width,
        height,
        data: Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 7 + seed) & 255),
      },
      50,
    ).data,
  ),
);

/** Overwrites a few bytes and maybe cuts the file short. */
function mutated(files: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(files, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 8 }), fc.option(fc.nat()))
    .map(([file, writes, cut]) => {
      const out = file.slice();
      for (const [at, value] of writes) out[at % out.length] = value;
      return cut === null ? out : out.subarray(0, cut % out.length);
    });
}

/** A PNG whose header declares width x height (its CRC left stale: decoders do not check it). */
function declaring(file: Uint8Array, width: number, height: number): Uint8Array {
  const out = file.slice();
  const view = new DataView(out.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  return out;
}

/** 1x1 declared, 64 MB of image data in 64 KB: what a decompression bomb looks like. */
export function pngBomb(): Uint8Array {
  const header = encodePng({ width: 1, height: 1, channels: 1, depth: 8, data: new Uint8Array(1) }).subarray(
    0,
    33,
  );
  const data = chunk('IDAT', deflateSync(new Uint8Array(64 * 1024 * 1024)));
  return Buffer.concat([header, data, chunk('IEND', new Uint8Array())]);
}

const BOMB = bytesToBase64(pngBomb());

const base64 = (file: Uint8Array) => bytesToBase64(file);

/** The `image` field of an input: mostly broken, sometimes fine. */
export const imageField: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.uint8Array({ maxLength: 4096 }).map(base64),
  mutated(png).map(base64),
  mutated(jpeg).map(base64),
  fc.tuple(png, fc.nat(), fc.nat()).map(([file, width, height]) => base64(declaring(file, width, height))),
  png.map((file) => `data:image/png;base64,${base64(file)}`),
  jpeg.map(base64),
  png.map((file) => `${base64(file).slice(0, -3)}!!`),
  fc.constant(BOMB),
  fc.constant('data:image/png;base64,'),
);

const pixel = fc.oneof(fc.integer({ min: -1, max: 256 }), fc.double(), fc.constant(1e308));

/** An embed or search input of an image model: `{image}` or `{pixels}`, or a near miss of either. */
export const imageInput: fc.Arbitrary<unknown> = fc.oneof(
  imageField.map((image) => ({ image })),
  fc.array(fc.array(pixel, { maxLength: 40 }), { maxLength: 40 }).map((pixels) => ({ pixels })),
  fc
    .tuple(side, side)
    .map(([width, height]) => ({ pixels: Array.from({ length: height }, () => Array(width).fill(128)) })),
  fc.record({ image: imageField, pixels: fc.constant([[0]]) }),
  fc.constant({ pixels: Array.from({ length: 513 }, () => [0]) }),
);
