import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';

/**
 * The client's address on the Node server: the socket's peer, or, behind a reverse proxy that the
 * operator declares trusted, the last address in X-Forwarded-For (the one that proxy appended; earlier
 * entries are whatever the client chose to send).
 */
export function nodeClientAddress(trustProxy: boolean): (c: Context<AppEnv>) => string | undefined {
  return (c) => {
    const forwarded = trustProxy ? c.req.header('X-Forwarded-For')?.split(',').at(-1)?.trim() : undefined;
    return forwarded || getConnInfo(c).remote.address;
  };
}
