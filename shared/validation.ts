import type { z } from 'zod';

/** One line per zod issue, `path: message`, for error messages people read. */
export function describeIssues(error: z.ZodError, rootName = '(root)'): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || rootName}: ${issue.message}`);
}

/** Parses with `schema` or throws one error that names `what` and lists every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`${what}:\n  ${describeIssues(result.error).join('\n  ')}`);
  return result.data;
}
