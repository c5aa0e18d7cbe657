import { z } from 'zod';

/**
 * A strict config object whose "unknown parameter" error lists the valid ones, so a typo in a training
 * config says what was meant.
 */
export function strictConfig<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown parameter ${issue.keys.map((key) => `"${key}"`).join(', ')}; valid parameters: ${Object.keys(shape).join(', ')}`
        : undefined,
  });
}

/** Parses a component config, turning zod issues into one readable message. */
export function parseConfig<S extends z.ZodType>(kind: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    return where + issue.message;
  });
  throw new Error(`invalid ${kind} config: ${details.join('; ')}`);
}
