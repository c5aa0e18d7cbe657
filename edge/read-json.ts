import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from './errors.ts';

/** At most this many schema problems are listed in one error message. */
const MAX_ISSUES_REPORTED = 5;

/**
 * Reads the request body as JSON (whatever its Content-Type claims) and validates it: malformed JSON is
 * `invalid_json`, a well-formed body that breaks the schema is `invalid_request` naming each bad field.
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new ApiError(400, 'invalid_json', 'the request body is not valid JSON');
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    const issues = result.error.issues;
    const listed = issues
      .slice(0, MAX_ISSUES_REPORTED)
      .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
    if (issues.length > listed.length) listed.push(`and ${issues.length - listed.length} more`);
    throw new ApiError(400, 'invalid_request', listed.join('; '));
  }
  return result.data;
}
