import { describe, expect, it } from 'vitest';
import { AdamConfigSchema } from './adam.ts';
import { atStep, ParameterUpdateSchema } from './parameter-update.ts';

describe('atStep', () => {
  const adam = AdamConfigSchema.parse({ learningRate: 0.01 });

  it('keeps every learning rate without a decay', () => {
    const update = ParameterUpdateSchema.parse({ table: 'scale+rows', tableLearningRate: 3e-4 });
    expect(atStep(adam, update, 900, 1000)).toEqual({ adam, update });
  });

  it('decays every group linearly from its own rate to zero at the last step, leaving unset rates unset', () => {
    const update = ParameterUpdateSchema.parse({
      table: 'scale+rows',
      tableLearningRate: 3e-4,
      denseLearningRate: 0,
      learningRateDecay: 'linear',
    });
    const quarter = atStep(adam, update, 250, 1000);
    expect(quarter.adam.learningRate).toBeCloseTo(0.0075, 12);
    expect(quarter.adam.beta1).toBe(adam.beta1);
    expect(quarter.update.tableLearningRate).toBeCloseTo(2.25e-4, 12);
    expect(quarter.update.denseLearningRate).toBe(0);
    expect(quarter.update.scaleLearningRate).toBeUndefined();
    expect(atStep(adam, update, 0, 1000).adam.learningRate).toBe(0.01);
    expect(atStep(adam, update, 999, 1000).adam.learningRate).toBeCloseTo(1e-5, 12);
    expect(atStep(adam, update, 1200, 1000).adam.learningRate).toBe(0);
  });

  it('refuses an unknown decay in a config', () => {
    expect(() => ParameterUpdateSchema.parse({ learningRateDecay: 'cosine' })).toThrow(/learningRateDecay/);
  });
});
