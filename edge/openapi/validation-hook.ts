import type { Hook } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';

/** At most this many schema problems are listed in one error message. */
const MAX_ISSUES_REPORTED = 5;

/** `field.path: problem; ...`: each offending field named, `body` (or the query, ...) for the whole of it. */
function describeIssues(issues: readonly z.core.$ZodIssue[], whole = 'body'): string {
  const listed = issues
    .slice(0, MAX_ISSUES_REPORTED)
    .map((i) => `${i.path.map(String).join('.') || whole}: ${i.message}`);
  if (issues.length > listed.length) listed.push(`and ${issues.length - listed.length} more`);
  return listed.join('; ');
}

const WHOLE: Record<string, string> = { json: 'body', query: 'query', param: 'path' };

/**
 * The app's default hook for every route's validators (body, query, path): a request that breaks its
 * schema is a 400 `invalid_request` naming each offending field, through the app's error handler.
 */
export const validationHook: Hook<unknown, AppEnv, string, void> = (result) => {
  if (!result.success) {
    throw new ApiError(400, 'invalid_request', describeIssues(result.error.issues, WHOLE[result.target]));
  }
};
