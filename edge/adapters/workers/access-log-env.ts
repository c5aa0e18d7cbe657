import { z } from 'zod';
import type { AppOptions } from '../../app.ts';
import type { Logger } from '../../logger.ts';

const AccessLogEnvSchema = z.object({
  /** "1" or "true": one log line per request through console ([vars] in wrangler.toml); off by default. */
  ACCESS_LOG: z
    .enum(['0', '1', 'true', 'false'], { error: 'ACCESS_LOG must be 0, 1, true or false' })
    .optional(),
});

/**
 * The Worker's logging options for createApp: its logger, and the access log when ACCESS_LOG turns it
 * on. Off by default because Workers Logs already records every invocation (method, URL, status); the
 * app's line adds the model that answered and the request id.
 */
export function workerLogOptions(env: unknown, logger: Logger): Pick<AppOptions, 'logger' | 'accessLog'> {
  const parsed = AccessLogEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid worker configuration: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  const flag = parsed.data.ACCESS_LOG;
  return { logger, accessLog: flag === '1' || flag === 'true' };
}
