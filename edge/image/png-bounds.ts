import { ImageDecodeError } from '../../shared/image/decode.ts';

/**
 * fast-png allocates the whole image its header declares and inflates every IDAT (and iCCP) chunk
 * without bound, so a PNG of a few hundred kilobytes could ask for gigabytes (a decompression bomb).
 * This reads the chunk layout first: the declared size must be within `maxPixels`, and the compressed
 * data must inflate to no more than that size needs, counted as it streams and abandoned past the bound.
 */
export async function checkPngBounds(bytes: Uint8Array, maxPixels: number): Promise<void> {
  const { header, idat, iccp } = readChunks(bytes);
  const { width, height } = header;
  if (width * height > maxPixels) {
    throw new ImageDecodeError(`the image is ${width}x${height}, above the ${maxPixels}-pixel limit`);
  }
  if (!(await inflatesWithin(idat, rawSizeBound(header)))) {
    throw new ImageDecodeError(`the PNG's image data inflates to more than a ${width}x${height} image holds`);
  }
  // An ICC profile is kilobytes; a few megabytes is generous.
  if (iccp && !(await inflatesWithin([iccp], 4 * 1024 * 1024))) {
    throw new ImageDecodeError("the PNG's colour profile (iCCP) inflates to more than 4 MiB");
  }
}

interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
}

const SIGNATURE_BYTES = 8;
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function readChunks(bytes: Uint8Array): { header: PngHeader; idat: Uint8Array[]; iccp?: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  const idat: Uint8Array[] = [];
  let iccp: Uint8Array | undefined;
  for (let at = SIGNATURE_BYTES; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length));
    if (type === 'IHDR' && data.length >= 13) {
      const fields = new DataView(data.buffer, data.byteOffset, data.byteLength);
      header = {
        width: fields.getUint32(0),
        height: fields.getUint32(4),
        bitDepth: data[8],
        colorType: data[9],
      };
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'iCCP') {
      // A keyword, a NUL, one compression-method byte, then the zlib stream.
      iccp = data.subarray(data.indexOf(0) + 2);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  if (!header) throw new ImageDecodeError('the PNG has no image header (IHDR)');
  return { header, idat, iccp };
}

/** Filtered scanlines take height x (1 + row bytes); Adam7 passes add a filter byte and a partial byte per pass row. */
function rawSizeBound({ width, height, bitDepth, colorType }: PngHeader): number {
  const bitsPerPixel = (CHANNELS[colorType] ?? 4) * Math.max(bitDepth, 1);
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
  return height * (rowBytes + 1) + 4 * height + 1024;
}

/** Whether the zlib stream in `parts` inflates to at most `limit` bytes; corrupt data is fast-png's to report. */
async function inflatesWithin(parts: readonly Uint8Array[], limit: number): Promise<boolean> {
  const compressed = new ReadableStream<BufferSource>({
    start(controller) {
      for (const part of parts) controller.enqueue(part.slice());
      controller.close();
    },
  });
  const reader = compressed.pipeThrough(new DecompressionStream('deflate')).getReader();
  let total = 0;
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      total += chunk.value.byteLength;
      if (total > limit) {
        await reader.cancel();
        return false;
      }
    }
  } catch {
    // Truncated or corrupt: not a bomb; decoding says what is wrong with it.
  }
  return true;
}
