import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import {
  type ClassScore,
  calibrateOpenSet,
  classPrototypes,
  decide,
  type LabelledVector,
  nearestExamples,
  rankByPrototype,
  voteOfNeighbours,
} from '../../shared/fewshot/index.ts';
import type { CollectionLabels } from '../../shared/manifest.ts';
import {
  type ClassifyRequest,
  type ClassifyResponse,
  ClassifyResponseSchema,
  classificationRequestSchemas,
} from '../classification-schemas.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { embedRequestInputs, requireInputKind } from '../image/request-inputs.ts';
import { parseModelRef } from '../model-ref.ts';
import { jsonBody, readsJsonBody } from '../openapi/json-body.ts';
import { BODY_ERRORS, errorResponses, jsonResponse, V1_ERRORS } from '../openapi/responses.ts';
import type { CollectionInfo, LoadedModel } from '../ports.ts';
import {
  checkPinnedVersion,
  inputKindOf,
  modelVersionOf,
  resolveCollection,
  resolveModelRef,
} from '../resolve.ts';

/** The classes one request competes over: how they rank an input, and the open-set threshold. */
interface Classes {
  model: LoadedModel;
  rank(input: Float32Array): Promise<ClassScore[]>;
  threshold: number | null;
}

const invalid = (message: string) => new ApiError(400, 'invalid_request', message);

/**
 * POST /v1/classify: few-shot classification with the model's embeddings, against labelled examples sent
 * with the request or a labelled collection built at index time (shared/fewshot/ holds the classifiers).
 */
export function classifyRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const { ClassifyRequest } = classificationRequestSchemas(deps.requests, deps.limits);
  const route = createRoute({
    method: 'post',
    path: '/v1/classify',
    operationId: 'classify',
    tags: ['classification'],
    summary: 'Classify inputs by labelled examples or a labelled collection (few-shot, open-set)',
    middleware: [readsJsonBody] as const,
    request: {
      body: jsonBody(ClassifyRequest.openapi('ClassifyRequest'), {
        inputs: ['my card was charged twice'],
        examples: [
          { input: 'I was billed two times', label: 'billing' },
          { input: 'refund my double charge', label: 'billing' },
          { input: 'the app crashes on start', label: 'bug' },
          { input: 'it freezes when I log in', label: 'bug' },
        ],
        method: 'prototype',
      }),
    },
    responses: {
      200: jsonResponse(
        ClassifyResponseSchema.openapi('ClassifyResponse'),
        'One answer per input, in input order.',
        {
          model: 'minilm',
          model_version: '20261128-0300',
          method: 'prototype',
          threshold: 0.41,
          results: [
            { label: 'billing', score: 0.83, runner_up: { label: 'bug', score: 0.12 }, unknown: false },
          ],
        },
        { modelVersion: true },
      ),
      ...errorResponses(...BODY_ERRORS, 404, 409, ...V1_ERRORS),
    },
  });

  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const request = c.req.valid('json');
    const classes =
      request.examples !== undefined
        ? await exampleClasses(deps, request, request.examples)
        : await collectionClasses(deps, request, request.collection!);
    c.set('modelVersion', modelVersionOf(classes.model));
    const vectors = await embedRequestInputs(deps, classes.model, request.inputs, 'inputs');
    const results: ClassifyResponse['results'] = [];
    for (const vector of vectors) {
      const { label, score, runnerUp, unknown } = decide(await classes.rank(vector), classes.threshold);
      results.push({ label, score, runner_up: runnerUp, unknown });
    }
    const body: ClassifyResponse = {
      model: classes.model.manifest.name,
      model_version: classes.model.manifest.version,
      method: request.method,
      threshold: classes.threshold,
      results,
    };
    return c.json(body, 200);
  });
}

/** The classes of inline examples: at least two labels; `labels`, when given, must each have an example. */
async function exampleClasses(
  deps: AppDeps,
  request: ClassifyRequest,
  examples: NonNullable<ClassifyRequest['examples']>,
): Promise<Classes> {
  const model = await resolveModelRef(deps.registry, request.model, inputKindOf(request.inputs[0]));
  const given = new Set(examples.map((e) => e.label));
  if (given.size < 2) {
    throw invalid(
      `examples: at least two labels are needed to classify; every example is "${examples[0].label}"`,
    );
  }
  request.labels?.forEach((label, i) => {
    if (!given.has(label)) throw invalid(`labels.${i}: class "${label}" has no example`);
  });
  const wanted = new Set(request.labels ?? given);
  const inputs = examples.map((e) => e.input);
  requireInputKind(model, inputs, (i) => `examples.${i}.input`);
  const vectors = await embedRequestInputs(deps, model, inputs, 'examples');
  const labelled: LabelledVector[] = examples
    .map((e, i) => ({ vector: vectors[i], label: e.label }))
    .filter((e) => wanted.has(e.label));
  const prototypes = request.method === 'prototype' ? classPrototypes(labelled) : [];
  return {
    model,
    rank: async (input) =>
      request.method === 'prototype'
        ? rankByPrototype(input, prototypes)
        : voteOfNeighbours(nearestExamples(input, labelled, request.k)),
    threshold: request.threshold ?? calibrateOpenSet(labelled, request.method, request.k),
  };
}

/**
 * The classes of a labelled collection: its class prototypes from the manifest (method prototype), or
 * the vote of its k nearest items by their label in metadata (method knn, through the collection's search).
 */
async function collectionClasses(deps: AppDeps, request: ClassifyRequest, name: string): Promise<Classes> {
  const { collection, model } = resolveCollection(deps.index, deps.registry, {
    collection: name,
    model: parseModelRef(request.model).name,
    kind: inputKindOf(request.inputs[0]),
  });
  checkPinnedVersion(request.model, collection);
  const labels = model.manifest.collections.find((entry) => entry.name === collection.name)?.labels;
  if (request.method === 'prototype') return prototypeClasses(model, collection, labels, request);
  const field = labels?.field ?? 'label';
  if (request.labels && !collection.filterable?.some((f) => f.name === field)) {
    throw invalid(`labels: collection "${collection.name}" cannot filter on "${field}" to restrict the vote`);
  }
  const filter = request.labels ? { [field]: request.labels } : undefined;
  return {
    model,
    async rank(input) {
      const hits = await deps.index.search(collection, input, request.k, filter);
      const voters = hits
        .filter((hit) => hit.metadata[field] !== undefined && hit.metadata[field] !== null)
        .map((hit) => ({ label: String(hit.metadata[field]), score: hit.score }));
      if (voters.length === 0) {
        throw invalid(
          `collection: the items of "${collection.name}" carry no class in metadata.${field}: it is not a labelled collection`,
        );
      }
      return voteOfNeighbours(voters);
    },
    threshold: request.threshold ?? null,
  };
}

function prototypeClasses(
  model: LoadedModel,
  collection: CollectionInfo,
  labels: CollectionLabels | undefined,
  request: ClassifyRequest,
): Classes {
  if (!labels) {
    throw invalid(
      `collection: "${collection.name}" has no class prototypes (a labelled dataset builds them at index time); ` +
        'method "knn" votes with the labels in its items\' metadata',
    );
  }
  const known = new Set(labels.classes.map((c) => c.label));
  request.labels?.forEach((label, i) => {
    if (!known.has(label))
      throw invalid(`labels.${i}: collection "${collection.name}" has no class "${label}"`);
  });
  const wanted = new Set(request.labels ?? known);
  const prototypes = labels.classes
    .filter((c) => wanted.has(c.label))
    .map((c) => ({ label: c.label, items: c.items, prototype: Float32Array.from(c.prototype) }));
  return {
    model,
    rank: async (input) => rankByPrototype(input, prototypes),
    threshold: request.threshold ?? labels.open_set_threshold,
  };
}
