import { z } from 'zod';
import { strictConfig } from '../config.ts';
import type { Reducer } from './base.ts';

/** PML `SumReducer`: the sum of all losses. */
export const SumReducerConfigSchema = strictConfig({ name: z.literal('sum') });
export type SumReducerConfig = z.infer<typeof SumReducerConfigSchema>;

export function createSumReducer(): Reducer {
  return { name: 'sum', reduce: (losses) => losses.sum() };
}
