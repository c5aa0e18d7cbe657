import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { WASM_TRAINING_KERNELS } from '../../trainer/backend/wasm-kernels.ts';
import { benchmarkCnnStep } from './cnn-step.ts';

describe('benchmarkCnnStep', () => {
  it('times training steps with our kernels and with the baseline ones, then restores ours', async () => {
    const shape = { convWidths: [4, 8], embeddingDim: 16 };
    const ours = await benchmarkCnnStep({ kernels: 'ours', batchSize: 16, steps: 2, shape });
    const baseline = await benchmarkCnnStep({ kernels: 'baseline', batchSize: 16, steps: 2, shape });
    for (const result of [ours, baseline]) {
      expect(result.stepMs).toHaveLength(2);
      expect(result.medianMs).toBeGreaterThan(0);
      expect(result.samplesPerSecond).toBeCloseTo((16 * 1000) / result.medianMs, 6);
    }
    expect([ours.kernels, baseline.kernels]).toEqual(['ours', 'baseline']);
    for (const kernel of WASM_TRAINING_KERNELS) expect(tf.getKernel(kernel.kernelName, 'wasm')).toBe(kernel);
  });
});
