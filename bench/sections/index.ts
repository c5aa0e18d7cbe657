import type { Section } from '../section.ts';
import { embedSection } from './embed.ts';
import { gpuSection } from './gpu.ts';
import { httpSection } from './http.ts';
import { knnSection } from './knn.ts';
import { lossSection } from './loss.ts';
import { trainSection } from './train.ts';
import { workerSection } from './worker.ts';

/** Every section in the order the suite runs them and the docs list them. */
export const SECTIONS: readonly Section[] = [
  embedSection,
  knnSection,
  httpSection,
  trainSection,
  gpuSection,
  lossSection,
  workerSection,
];
