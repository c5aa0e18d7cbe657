import { z } from 'zod';

/** One line per zod issue, `path: message`, for error messages people read. */
export function describeIssues(error: z.ZodError, rootName = '(root)'): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || rootName}: ${issue.message}`);
}

/**
 * A number as JSON.stringify writes it: NaN and the infinities become null, read back as NaN (a metric
 * without a value, such as a correlation of constant scores).
 */
export const JsonNumberSchema = z.number().or(z.null().transform(() => Number.NaN));

/** Parses with `schema` or throws one error that names `what` and lists every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`${what}:\n  ${describeIssues(result.error).join('\n  ')}`);
  return result.data;
}
