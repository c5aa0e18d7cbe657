import { z } from '@hono/zod-openapi';

/**
 * How a request names a model: `<name>`, the version it serves now, or `<name>@<version>`, pinned to a
 * published version (see resolveModelRef in resolve.ts for what each adapter serves).
 */
export const ModelRefSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}(@[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$/,
    'models are <name> or <name>@<version>: names 1-64 of a-z, 0-9, _ and -, versions 1-64 of A-Z, a-z, 0-9, ., _ and -',
  );

export interface ModelRef {
  name: string;
  /** Absent: whatever version serves now. */
  version?: string;
}

/** A request's `model` field, split; nothing named when the field is absent. */
export function parseModelRef(ref: string | undefined): Partial<ModelRef> {
  if (ref === undefined) return {};
  const at = ref.indexOf('@');
  return at < 0 ? { name: ref } : { name: ref.slice(0, at), version: ref.slice(at + 1) };
}
