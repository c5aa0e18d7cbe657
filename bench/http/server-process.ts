/**
 * The server under load, in its own process so the load generator does not share its event loop:
 * `node --import tsx bench/http/server-process.ts <artifactsDir>`. Sends `{url}` to the parent once
 * listening and closes when the parent disconnects.
 */
import { z } from 'zod';
import { startNodeServer } from '../../edge/adapters/node/server.ts';

const artifactsDir = z.string().min(1).parse(process.argv[2]);
const server = await startNodeServer({ port: 0, artifactsDir });
process.once('disconnect', () => {
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
process.send?.({ url: server.url });
