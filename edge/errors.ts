import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from './schemas.ts';

/**
 * An error the client caused (or may know about): the error handler turns it into
 * `{error: {code, message}}` with its status. Anything else thrown is an internal fault (500, logged).
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}
