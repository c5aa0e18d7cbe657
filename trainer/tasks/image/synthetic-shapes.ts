import { mulberry32 } from '../../../shared/random.ts';
import { type ImageSet, imageSet } from './image-set.ts';

/**
 * Seeded synthetic grey images of simple shapes, light on black like Fashion-MNIST: the tiny dataset the
 * tests and the fixture config train on (test/fixtures/images/shapes holds one draw as IDX files). Each
 * image varies the shape's position, size and brightness, so a model has to generalise, not memorise; flat
 * shapes on black keep the fixture files a few KB once gzipped.
 */
export const SHAPE_CLASSES = [
  'square',
  'ring',
  'horizontal bar',
  'vertical bar',
  'cross',
  'triangle',
  'diamond',
  'diagonal cross',
] as const;

/** The shipped fixture draws the first six shapes; the class-disjoint fold tests need all eight. */
const FIXTURE_CLASSES = 6;

export function syntheticShapes(options: {
  perClass: number;
  seed: number;
  size?: number;
  classes?: number;
}): ImageSet {
  const size = options.size ?? 28;
  const classes = options.classes ?? FIXTURE_CLASSES;
  if (classes > SHAPE_CLASSES.length) throw new Error(`at most ${SHAPE_CLASSES.length} shape classes`);
  const random = mulberry32(options.seed);
  const count = options.perClass * classes;
  const pixels = new Uint8Array(count * size * size);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    labels[i] = label;
    const extent = size * (0.25 + 0.15 * random());
    const cx = size / 2 + (random() - 0.5) * size * 0.25;
    const cy = size / 2 + (random() - 0.5) * size * 0.25;
    const brightness = 150 + 105 * random();
    const image = pixels.subarray(i * size * size, (i + 1) * size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (shapeContains(label, (x + 0.5 - cx) / extent, (y + 0.5 - cy) / extent)) {
          image[y * size + x] = Math.round(brightness);
        }
      }
    }
  }
  return imageSet({ pixels, labels, height: size, width: size, classNames: SHAPE_CLASSES.slice(0, classes) });
}

/** Whether (u, v), in units of the shape's half-extent around its centre, is inside shape `label`. */
function shapeContains(label: number, u: number, v: number): boolean {
  const r = Math.hypot(u, v);
  switch (label) {
    case 0:
      return Math.abs(u) < 0.8 && Math.abs(v) < 0.8;
    case 1:
      return r > 0.55 && r < 0.95;
    case 2:
      return Math.abs(u) < 1 && Math.abs(v) < 0.25;
    case 3:
      return Math.abs(u) < 0.25 && Math.abs(v) < 1;
    case 4:
      return (Math.abs(u) < 0.2 && Math.abs(v) < 0.9) || (Math.abs(v) < 0.2 && Math.abs(u) < 0.9);
    case 5:
      return v < 0.8 && v > -0.9 && Math.abs(u) < (v + 0.9) * 0.55;
    case 6:
      return Math.abs(u) + Math.abs(v) < 0.95;
    default:
      return r < 0.95 && (Math.abs(u - v) < 0.3 || Math.abs(u + v) < 0.3);
  }
}
