import type { z } from 'zod';
import { strictConfig } from '../config.ts';
import {
  createDistance,
  type Distance,
  type DistanceConfigInput,
  DistanceConfigSchema,
} from '../distances/index.ts';
import {
  createReducer,
  type Reducer,
  type ReducerConfigInput,
  ReducerConfigSchema,
} from '../reducers/index.ts';
import {
  createEmbeddingRegularizer,
  type EmbeddingRegularizer,
  EmbeddingRegularizerConfigSchema,
} from '../regularizers/index.ts';

/** Fields every loss config has: PML's `distance`, `reducer` and `embedding_regularizer` arguments. */
const commonFields = {
  distance: DistanceConfigSchema.optional(),
  reducer: ReducerConfigSchema.optional(),
  embedding_regularizer: EmbeddingRegularizerConfigSchema.optional(),
};

export function lossSchema<N extends string, T extends z.ZodRawShape>(name: z.ZodLiteral<N>, shape: T) {
  return strictConfig({ name, ...shape, ...commonFields });
}

export interface CommonConfig {
  distance?: z.infer<typeof DistanceConfigSchema>;
  reducer?: z.infer<typeof ReducerConfigSchema>;
  embedding_regularizer?: z.infer<typeof EmbeddingRegularizerConfigSchema>;
}

export interface ResolvedCommon {
  distance: Distance;
  reducer: Reducer;
  regularizer: EmbeddingRegularizer | undefined;
}

/** The configured distance and reducer, or the loss's PML defaults. */
export function resolveCommon(
  config: CommonConfig,
  defaults: { distance: DistanceConfigInput; reducer: ReducerConfigInput },
): ResolvedCommon {
  return {
    distance: createDistance(config.distance ?? defaults.distance),
    reducer: createReducer(config.reducer ?? defaults.reducer),
    regularizer: config.embedding_regularizer && createEmbeddingRegularizer(config.embedding_regularizer),
  };
}
