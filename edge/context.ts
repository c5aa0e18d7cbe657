import type { RequestIdVariables } from 'hono/request-id';
import type { TimingVariables } from 'hono/timing';
import type { Limits } from './limits.ts';
import type { Embedder, LoadedModel, ModelRegistry, StoredApiKey, VectorIndex } from './ports.ts';
import type { RequestSchemas } from './schemas.ts';

/** Per-request values the middleware and routes share through Hono's context. */
export type AppEnv = {
  Variables: RequestIdVariables &
    TimingVariables & {
      /** `<model>@<version>` of the model that answered; the model-version middleware sends it as a header. */
      modelVersion?: string;
      /** Set by the authenticate middleware when a key was presented: the live key it names, or null. */
      apiKey?: StoredApiKey | null;
    };
};

/** What every route may use; built once by createApp. */
export interface AppDeps {
  registry: ModelRegistry;
  index: VectorIndex;
  limits: Limits;
  requests: RequestSchemas;
  /** The model's embedder behind its micro-batcher: routes must embed through this, not `model.embedder`. */
  embedderFor(model: LoadedModel): Embedder;
  /** Why the server should not be sent traffic now (shutting down), or undefined; /readyz answers it. */
  notReady(): string | undefined;
}
