import type { z } from 'zod';
import { ErrorResponseSchema } from '../schemas.ts';

/** When each error status is sent; every error body is ErrorResponse, `message` naming the offending field. */
const ERROR_DESCRIPTIONS = {
  400: 'Invalid JSON (invalid_json) or a request that breaks its schema (invalid_request: the message names each offending field), or a collection name several models hold without a model to choose (ambiguous_collection).',
  401: 'No API key, or an unknown, wrong or revoked one (Authorization: Bearer <key>).',
  403: "The API key's scope does not allow this request.",
  404: 'No such model, version or collection (or item, or user, where the request names them).',
  405: 'A write this deployment or this collection does not take (a published collection, written collections on Workers); the message says why.',
  409: 'The version cannot be served here (a file fails verification, or it is not the version a collection was embedded with); the versions already serving go on. For written collections: the name is taken (collection_exists), or the collection was embedded by another version than its model serves now (collection_stale).',
  413: 'The body is over the size limit.',
  429: 'Over a rate limit (per address or per API key); Retry-After says how many seconds to wait.',
  500: 'An internal fault; details are in the server log.',
  503: 'Not ready for traffic: no model is loaded, or the server is shutting down (not_ready).',
} as const;
export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** The one error schema of the API, as a component. */
export const ErrorResponse = ErrorResponseSchema.openapi('ErrorResponse');

/** The error answers a route may give, each with the shared error schema. */
export function errorResponses<const S extends readonly ErrorStatus[]>(
  ...statuses: S
): {
  [K in S[number]]: {
    description: string;
    content: { 'application/json': { schema: typeof ErrorResponse } };
  };
} {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: ERROR_DESCRIPTIONS[status], content: { 'application/json': { schema: ErrorResponse } } },
    ]),
  ) as never;
}

/** The errors of every route under /v1: its rate limits and faults. */
export const V1_ERRORS = [429, 500] as const;
/** The errors of every route that reads a JSON body, besides V1_ERRORS. */
export const BODY_ERRORS = [400, 413] as const;

const MODEL_VERSION_HEADER = {
  'X-Model-Version': {
    description: 'The model version that answered, as <model>@<version> (as `model_version` in the body).',
    schema: { type: 'string' as const, example: 'minilm@20261128-0300' },
  },
};

/** A JSON success answer with its schema and an example; `modelVersion` adds the X-Model-Version header. */
export function jsonResponse<S extends z.ZodType>(
  schema: S,
  description: string,
  example: z.output<S>,
  { modelVersion = false } = {},
) {
  return {
    description,
    ...(modelVersion && { headers: MODEL_VERSION_HEADER }),
    content: { 'application/json': { schema, example } },
  };
}

/** What routes that need a key whatever the server's settings (writes, admin) declare. */
export const NEEDS_KEY = [{ bearer: [] }];
