import { z } from 'zod';
import { parseConfig } from '../config.ts';
import type { Reducer } from './base.ts';
import { ClassWeightedReducerConfigSchema, createClassWeightedReducer } from './class-weighted.ts';
import { createDivisorReducer, DivisorReducerConfigSchema } from './divisor.ts';
import { createMeanReducer, MeanReducerConfigSchema } from './mean.ts';
import { createPerAnchorReducer, perAnchorSchema } from './per-anchor.ts';
import { createSumReducer, SumReducerConfigSchema } from './sum.ts';
import {
  AvgNonZeroReducerConfigSchema,
  createAvgNonZeroReducer,
  createThresholdReducer,
  ThresholdReducerConfigSchema,
} from './threshold.ts';

export type { LossTerm, LossTerms, ReduceContext, Reducer, ReductionKind } from './base.ts';
export { reduceTerms } from './base.ts';

/** Every reducer but per_anchor, which wraps one of these. */
export const InnerReducerConfigSchema = z.discriminatedUnion('name', [
  MeanReducerConfigSchema,
  AvgNonZeroReducerConfigSchema,
  SumReducerConfigSchema,
  ThresholdReducerConfigSchema,
  DivisorReducerConfigSchema,
  ClassWeightedReducerConfigSchema,
]);
export type InnerReducerConfig = z.infer<typeof InnerReducerConfigSchema>;

export const PerAnchorReducerConfigSchema = perAnchorSchema(InnerReducerConfigSchema);

export const ReducerConfigSchema = z.discriminatedUnion('name', [
  ...InnerReducerConfigSchema.options,
  PerAnchorReducerConfigSchema,
]);
export type ReducerConfig = z.infer<typeof ReducerConfigSchema>;
export type ReducerConfigInput = z.input<typeof ReducerConfigSchema>;

export function createReducer(input: ReducerConfigInput): Reducer {
  const config = parseConfig('reducer', ReducerConfigSchema, input);
  if (config.name === 'per_anchor')
    return createPerAnchorReducer(createInner(config.reducer ?? { name: 'mean' }));
  return createInner(config);
}

function createInner(config: InnerReducerConfig): Reducer {
  switch (config.name) {
    case 'mean':
      return createMeanReducer();
    case 'avg_non_zero':
      return createAvgNonZeroReducer();
    case 'sum':
      return createSumReducer();
    case 'threshold':
      return createThresholdReducer(config);
    case 'divisor':
      return createDivisorReducer();
    case 'class_weighted':
      return createClassWeightedReducer(config);
  }
}
