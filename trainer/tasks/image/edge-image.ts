/**
 * The image preparation the edge serves with, re-exported for the trainer: training, index and query
 * images must go through the very same decode, resize, normalisation and ONNX code. Those modules are
 * plain TypeScript over fast-png, jpeg-js and onnxruntime-web with no edge dependency and belong in
 * shared/; until edge/image moves to shared/image, this file is the one place the trainer imports edge.
 */
export { bytesToBase64 } from '../../../edge/image/base64.ts';
export { decodeImage } from '../../../edge/image/decode.ts';
export { normalizePixels } from '../../../edge/image/model-input.ts';
export { createOnnxImageEmbedder } from '../../../edge/image/onnx-image-embedder.ts';
export { padToSquare, resizeGrey } from '../../../edge/image/resize.ts';
