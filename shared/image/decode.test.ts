import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage, ImageDecodeError, imageFormat } from './decode.ts';

/** A 3 x 2 test card: every pixel distinct, so any reordering shows. */
const WIDTH = 3;
const HEIGHT = 2;
const GREY = [0, 50, 100, 150, 200, 255];
const RGB = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 255],
  [10, 20, 30],
  [0, 0, 0],
];
const luma = ([r, g, b]: number[]) => 0.299 * r + 0.587 * g + 0.114 * b;

function closeTo(actual: ArrayLike<number>, expected: number[], digits = 3) {
  expect(Array.from(actual)).toEqual(expected.map((v) => expect.closeTo(v, digits)));
}

describe('decodeImage', () => {
  it('reads an 8-bit grey PNG as is', () => {
    const png = encodePng({
      width: WIDTH,
      height: HEIGHT,
      data: Uint8Array.from(GREY),
      channels: 1,
      depth: 8,
    });
    const image = decodeImage(png);
    expect([image.width, image.height]).toEqual([WIDTH, HEIGHT]);
    closeTo(image.pixels, GREY);
  });

  it('converts RGB to BT.601 luma', () => {
    const png = encodePng({
      width: WIDTH,
      height: HEIGHT,
      data: Uint8Array.from(RGB.flat()),
      channels: 3,
      depth: 8,
    });
    closeTo(decodeImage(png).pixels, RGB.map(luma));
  });

  it('composites transparent pixels over black', () => {
    const alpha = [255, 0, 128, 255, 255, 0];
    const rgba = RGB.flatMap((rgb, i) => [...rgb, alpha[i]]);
    const png = encodePng({
      width: WIDTH,
      height: HEIGHT,
      data: Uint8Array.from(rgba),
      channels: 4,
      depth: 8,
    });
    closeTo(
      decodeImage(png).pixels,
      RGB.map((rgb, i) => (luma(rgb) * alpha[i]) / 255),
    );
  });

  it('scales 16-bit grey to 0..255', () => {
    const data = Uint16Array.from(GREY.map((v) => v * 257));
    const png = encodePng({ width: WIDTH, height: HEIGHT, data, channels: 1, depth: 16 });
    closeTo(decodeImage(png).pixels, GREY);
  });

  it('unpacks 1-bit grey rows that end mid-byte', () => {
    // 3 pixels per row, 1 bit each: row bytes 0b101xxxxx and 0b011xxxxx.
    const png = encodePng({
      width: WIDTH,
      height: HEIGHT,
      data: Uint8Array.of(0b10100000, 0b01100000),
      channels: 1,
      depth: 1,
    });
    closeTo(decodeImage(png).pixels, [255, 0, 255, 0, 255, 255]);
  });

  it('reads a JPEG close to its source (lossy)', () => {
    const width = 16;
    const height = 16;
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) rgba.set([200, 200, 200, 255], i * 4);
    const jpeg = encodeJpeg({ width, height, data: rgba }, 95).data;
    expect(imageFormat(jpeg)).toBe('jpeg');
    const image = decodeImage(jpeg);
    expect([image.width, image.height]).toEqual([width, height]);
    for (const value of image.pixels) expect(value).toBeCloseTo(200, -1);
  });

  it('refuses what is neither PNG nor JPEG, and broken files, with an ImageDecodeError', () => {
    expect(() => decodeImage(new TextEncoder().encode('GIF89a...'))).toThrow(ImageDecodeError);
    const png = encodePng({
      width: WIDTH,
      height: HEIGHT,
      data: Uint8Array.from(GREY),
      channels: 1,
      depth: 8,
    });
    expect(() => decodeImage(png.subarray(0, 30))).toThrow(/PNG image cannot be decoded/);
  });
});
