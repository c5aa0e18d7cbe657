import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { Reducer } from './base.ts';

/** PML `MeanReducer`: the mean of all losses. */
export const MeanReducerConfigSchema = strictConfig({ name: z.literal('mean') });
export type MeanReducerConfig = z.infer<typeof MeanReducerConfigSchema>;

export function createMeanReducer(): Reducer {
  return { name: 'mean', reduce: (losses) => losses.mean() };
}
