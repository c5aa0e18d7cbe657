import { startNodeServer } from '../../edge/adapters/node/server.ts';

/**
 * Test-only: what `dml-edge serve --artifacts <dir>` runs, without the command line's imports of the
 * whole trainer, so that crash tests can kill and restart a server many times in seconds.
 * Usage: node --import tsx serve-child.ts <artifacts dir>; prints `serving on <url>`.
 */
const server = await startNodeServer({ port: 0, artifactsDir: process.argv[2] });
process.stdout.write(`serving on ${server.url}\n`);
