import { decodeImage, ImageDecodeError, imageFormat } from '../../shared/image/decode.ts';
import type { GreyImage } from '../../shared/image/grey-image.ts';
import { toModelInput } from '../../shared/image/model-input.ts';
import type { AppDeps } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { LoadedModel } from '../ports.ts';
import { Base64Error, base64ToBytes } from './base64.ts';
import { checkPngBounds } from './png-bounds.ts';

/** An input of an embed or search request, as the request schemas parse it (edge/schemas.ts). */
export type RequestInput = string | { image: string } | { pixels: number[][] };

type ImageRequestInput = Exclude<RequestInput, string>;

/**
 * A 400 naming the first input the model cannot take, by its place in the request (`pathOf`), e.g.
 * `pairs.3.1` or `examples.2.input` for inputs nested in pairs or examples.
 */
export function requireInputKind(
  model: LoadedModel,
  inputs: readonly RequestInput[],
  pathOf: (index: number) => string,
): void {
  const wanted = model.manifest.input.kind;
  const offending = inputs.findIndex((input) => (typeof input === 'string' ? 'text' : 'image') !== wanted);
  if (offending >= 0) {
    throw new ApiError(
      400,
      'invalid_request',
      `${pathOf(offending)}: model "${model.manifest.name}" takes ${wanted === 'text' ? 'texts' : 'images'} only`,
    );
  }
}

/**
 * Embeds request inputs with a model, after checking that the model takes their kind: texts go to a text
 * model's (micro-batched) embedder; images (base64 PNG/JPEG or raw grey pixel rows, any size) are decoded,
 * converted to grey, padded to a square, resized to the model's input and normalised as its manifest
 * says, then go to an image model's embedder. A request mixing kinds, or giving a model a kind it does
 * not take, is a 400 naming the first offending input. Images run one ONNX call per request (the
 * micro-batcher coalesces texts only): a 28x28 CNN call costs little beside decoding.
 */
export async function embedRequestInputs(
  deps: AppDeps,
  model: LoadedModel,
  inputs: readonly RequestInput[],
  path: string,
): Promise<Float32Array[]> {
  const { input, name } = model.manifest;
  requireInputKind(model, inputs, (i) => (inputs.length > 1 ? `${path}.${i}` : path));
  if (input.kind === 'text') return deps.embedderFor(model).embed(inputs as string[]);
  const embedder = deps.embedderFor(model);
  if (!embedder.embedImages) throw new Error(`image model ${name} was loaded without an image embedder`);
  const prepared: Float32Array[] = [];
  for (const [i, item] of (inputs as ImageRequestInput[]).entries()) {
    const where = `${path}${inputs.length > 1 ? `.${i}` : ''}`;
    prepared.push(toModelInput(await toGreyImage(item, where, deps.limits.maxImagePixels), input));
  }
  return embedder.embedImages(prepared);
}

async function toGreyImage(input: ImageRequestInput, where: string, maxPixels: number): Promise<GreyImage> {
  if ('pixels' in input) {
    const height = input.pixels.length;
    const width = input.pixels[0]?.length ?? 0;
    if (width === 0 || input.pixels.some((row) => row.length !== width)) {
      throw new ApiError(
        400,
        'invalid_request',
        `${where}.pixels: rows must all hold the same number of values`,
      );
    }
    return { width, height, pixels: Float32Array.from(input.pixels.flat()) };
  }
  try {
    const bytes = base64ToBytes(input.image);
    if (imageFormat(bytes) === 'png') await checkPngBounds(bytes, maxPixels);
    return decodeImage(bytes, maxPixels);
  } catch (error) {
    if (error instanceof Base64Error || error instanceof ImageDecodeError) {
      throw new ApiError(400, 'invalid_request', `${where}.image: ${error.message}`);
    }
    throw error;
  }
}
